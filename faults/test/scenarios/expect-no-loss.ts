import { expect } from 'vitest';
import type { ProducerScenarioOutcome } from '../../src/producer-scenario';

/** The fault suite's verdict: nothing accepted is lost, nothing is reordered per conversation, nothing was refused or dropped. */
export function expectNoLoss(outcome: ProducerScenarioOutcome): void {
  const { ledger, close, refused } = outcome;
  expect(refused, 'publish refused events (buffer full?)').toBe(0);
  expect(close.undelivered, 'events left undelivered at close').toEqual([]);
  expect(close.stats.failed + close.stats.dropped, 'events failed or dropped').toBe(0);
  expect(ledger.accepted).toBeGreaterThan(1000);
  expect(ledger.lostIds, `${ledger.lost} accepted event(s) never reached the consumer`).toEqual([]);
  expect(ledger.reordered, 'conversations out of order').toEqual([]);
  expect(ledger.unexpected, 'deliveries of events that were never accepted').toBe(0);
}

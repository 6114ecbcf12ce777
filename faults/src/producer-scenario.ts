import { performance } from 'node:perf_hooks';
import type { CloseReport, EventBroker } from '@broker/core';
import { EventLedger, type LedgerReport } from './event-ledger';
import { recordScenario } from './scenario-report';
import type { FaultScenarioResult } from './scenario-result';
import { SteadyPublisher } from './steady-publisher';

/** What a fault does; resolves once it is over ("healed"), with the time that happened. */
export type FaultInjection = (
  broker: EventBroker,
  publisher: SteadyPublisher,
) => Promise<{
  /** `performance.now()` when the fault ended: recovery is measured from here. */
  healedAt: number;
  /** Runs after recovery was measured, while publishing goes on (e.g. starting a stopped broker again). */
  afterRecovery?: () => Promise<unknown>;
}>;

export interface ProducerScenario {
  scenario: Pick<FaultScenarioResult, 'id' | 'title' | 'broker' | 'fault' | 'recovery'>;
  /** The broker under test, created by the scenario (not connected yet). */
  broker: EventBroker & { connect(): Promise<void> };
  /** Connect and publish a while before the fault (false: the fault is there from the start). */
  connectFirst: boolean;
  inject: FaultInjection;
  /** Reads everything the broker delivered into the ledger, after the producer closed. */
  readBack(ledger: EventLedger): Promise<unknown>;
  senders?: number;
  rate?: number;
}

export interface ProducerScenarioOutcome {
  result: FaultScenarioResult;
  ledger: LedgerReport;
  close: CloseReport;
  refused: number;
}

/**
 * The producer side of every broker fault: a steady publisher (500 events/s over 20
 * conversations) keeps publishing before, during and after the fault; recovery is the time
 * from the fault's end until every event accepted by then is confirmed (`flush`); then the
 * broker closes and everything it delivered is read back into the ledger.
 */
export async function runProducerScenario(options: ProducerScenario): Promise<ProducerScenarioOutcome> {
  const started = performance.now();
  const ledger = new EventLedger();
  const { broker } = options;
  const publisher = new SteadyPublisher(broker, ledger, {
    senders: options.senders ?? 20,
    rate: options.rate ?? 500,
  });
  if (options.connectFirst) {
    await broker.connect();
    publisher.start();
    await publisher.acceptedMore(500);
    await broker.flush(60_000);
  } else {
    publisher.start();
  }
  let close: CloseReport;
  let refused: number;
  let recoveryMs: number;
  try {
    const { healedAt, afterRecovery } = await options.inject(broker, publisher);
    await broker.flush(180_000);
    recoveryMs = performance.now() - healedAt;
    await afterRecovery?.();
    await publisher.acceptedMore(500);
  } finally {
    refused = publisher.stop().refused;
    await broker.flush(180_000).catch(() => undefined);
    close = await broker.close({ timeout: 30_000 });
  }
  await options.readBack(ledger);
  const report = ledger.report();
  const result = recordScenario(options.scenario, report, {
    recoveryMs,
    durationMs: performance.now() - started,
  });
  return { result, ledger: report, close, refused };
}

import { describe, expect, it } from 'vitest';
import { EventLedger } from '../src/event-ledger';

function ledgerOf(accepted: [string, number][], seen: [string, number][]): EventLedger {
  const ledger = new EventLedger();
  for (const [sender, n] of accepted) ledger.accepted({ sender, n });
  for (const [sender, n] of seen) ledger.seen({ sender, n });
  return ledger;
}

describe('EventLedger', () => {
  it('reports a clean stream as complete: nothing lost, duplicated or reordered', () => {
    const ledger = ledgerOf(
      [
        ['a', 0],
        ['b', 0],
        ['a', 1],
      ],
      [
        ['b', 0],
        ['a', 0],
        ['a', 1],
      ],
    );
    expect(ledger.complete()).toBe(true);
    expect(ledger.report()).toMatchObject({
      senders: 2,
      accepted: 3,
      seen: 3,
      lost: 0,
      duplicated: 0,
      reordered: [],
    });
  });

  it('names lost events', () => {
    const report = ledgerOf(
      [
        ['a', 0],
        ['a', 1],
        ['a', 2],
      ],
      [
        ['a', 0],
        ['a', 2],
      ],
    ).report();
    expect(report.lost).toBe(1);
    expect(report.lostIds).toEqual(['a#1']);
  });

  it('counts duplicates, and judges order by first arrivals only (a replayed suffix is not a reordering)', () => {
    const report = ledgerOf(
      [
        ['a', 0],
        ['a', 1],
        ['a', 2],
      ],
      [
        ['a', 0],
        ['a', 1],
        ['a', 0],
        ['a', 1],
        ['a', 2],
      ],
    ).report();
    expect(report).toMatchObject({ lost: 0, duplicated: 2, reordered: [] });
  });

  it('reports a conversation whose events overtook each other', () => {
    const report = ledgerOf(
      [
        ['a', 0],
        ['a', 1],
        ['b', 0],
      ],
      [
        ['a', 1],
        ['a', 0],
        ['b', 0],
      ],
    ).report();
    expect(report.reordered).toEqual([{ sender: 'a', after: 1, came: 0 }]);
  });

  it('counts deliveries of events that were never accepted', () => {
    expect(
      ledgerOf(
        [['a', 0]],
        [
          ['a', 0],
          ['z', 9],
        ],
      ).report().unexpected,
    ).toBe(1);
  });

  it('tells whether everything accepted up to a snapshot was seen', () => {
    const ledger = ledgerOf(
      [
        ['a', 0],
        ['a', 1],
      ],
      [['a', 0]],
    );
    const snapshot = ledger.snapshot();
    ledger.accepted({ sender: 'a', n: 2 });
    expect(ledger.hasSeenAll(snapshot)).toBe(false);
    ledger.seen({ sender: 'a', n: 1 });
    expect(ledger.hasSeenAll(snapshot)).toBe(true);
    expect(ledger.complete()).toBe(false);
  });
});

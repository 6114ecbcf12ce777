import { type EventMessageBody, slotSet } from '@broker/core';
import type { LedgerEntry } from './event-ledger';

/** Event `n` of conversation `sender`: a Rasa slot event whose value is n, so the ledger can tell events apart. */
export function numberedEvent({ sender, n }: LedgerEntry): EventMessageBody {
  return { sender_id: sender, ...slotSet('n', n, { timestamp: 1716801234 + n / 1000 }) } as EventMessageBody;
}

/** The ledger entry a delivered body stands for. */
export function readNumberedEvent(body: string | Buffer): LedgerEntry {
  const parsed = JSON.parse(body.toString()) as { sender_id: string; value: number };
  return { sender: parsed.sender_id, n: parsed.value };
}

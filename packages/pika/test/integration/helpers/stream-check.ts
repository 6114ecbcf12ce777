import { slotSet } from '@broker/core';

/** Event `n` of conversation `sender`: a slot event whose value is n, so order and gaps can be checked. */
export function numberedEvent(sender: string, n: number) {
  return { sender_id: sender, ...slotSet('n', n, { timestamp: 1716801234 + n / 1000 }) };
}

export interface StreamReport {
  /** Messages read from the queue. */
  received: number;
  /** Accepted events that are not in the queue, as `sender#n`. */
  missing: string[];
  /** Events that are in the queue more than once, as `sender#n x count`. */
  duplicates: string[];
  /** Senders whose events, taken at their first arrival, are not in publish order. */
  outOfOrder: string[];
}

/**
 * Checks a queue's content against what was published: `published` maps each conversation to
 * how many numbered events (0..count-1) it sent. At-least-once allows duplicates (listed);
 * nothing may be missing, and each conversation's first arrivals must be in order.
 */
export function checkStream(bodies: string[], published: Map<string, number>): StreamReport {
  const seen = new Map<string, number>();
  const firstArrivals = new Map<string, number[]>();
  for (const body of bodies) {
    const { sender_id: sender, value } = JSON.parse(body) as { sender_id: string; value: number };
    const key = `${sender}#${value}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count === 1) {
      const list = firstArrivals.get(sender) ?? [];
      list.push(value);
      firstArrivals.set(sender, list);
    }
  }
  const missing: string[] = [];
  for (const [sender, count] of published) {
    for (let n = 0; n < count; n++) if (!seen.has(`${sender}#${n}`)) missing.push(`${sender}#${n}`);
  }
  const duplicates = [...seen].filter(([, count]) => count > 1).map(([key, count]) => `${key} x${count}`);
  const outOfOrder = [...firstArrivals]
    .filter(([, values]) => values.some((value, i) => i > 0 && value < values[i - 1]!))
    .map(([sender]) => sender);
  return { received: bodies.length, missing, duplicates, outOfOrder };
}

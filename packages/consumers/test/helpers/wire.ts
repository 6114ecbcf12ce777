import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let counter = 0;

/** A valid Rasa 3.x wire body (sender_id first), unique per call. */
export function wireBody(senderId: string, event = 'bot', extra: Record<string, unknown> = {}): string {
  counter++;
  const fields = event === 'bot' ? { text: `message ${counter}`, data: null } : {};
  return JSON.stringify({
    sender_id: senderId,
    event,
    timestamp: 1716801234 + counter / 1000,
    ...fields,
    ...extra,
  });
}

/** The eight messages of one real Rasa 3.x turn, byte for byte (core's golden fixture). */
export function rasaTurnLines(): string[] {
  const path = fileURLToPath(new URL('../../../core/test/fixtures/wire/rasa-3x-turn.jsonl', import.meta.url));
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

export const coreFixture = (relative: string): string =>
  fileURLToPath(new URL(`../../../core/test/fixtures/${relative}`, import.meta.url));

/** Awaits a condition that an asynchronous system reaches by itself (checked every 10 ms, bounded). */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

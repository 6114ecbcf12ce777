import { describe, expect, it } from 'vitest';
import { EventValidationError, encodeEventBody, slotSet } from '../src/index';

function validationError(body: unknown): EventValidationError {
  try {
    encodeEventBody(body as never);
  } catch (error) {
    expect(
      EventValidationError.isInstance(error),
      `expected EventValidationError, got ${String(error)}`,
    ).toBe(true);
    return error as EventValidationError;
  }
  throw new Error('expected an EventValidationError');
}

describe('encodeEventBody: bodies that cannot be read or written as JSON', () => {
  it('names a field nested too deeply for the encoder, with a message of bounded length', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    const error = validationError({ sender_id: 'x', ...slotSet('a', 1), value: deep });
    expect(error.path).toMatch(/^value(\.d){499}$/);
    expect(error.message).toContain('is nested more than 500 levels deep');
    expect(error.message.length).toBeLessThan(300);
  });

  it('names the body itself when its fields cannot even be listed', () => {
    const hostile = new Proxy(
      { sender_id: 'x', ...slotSet('a', 1) },
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    const error = validationError(hostile);
    expect(error.path).toBe('$');
    expect(error.message).toContain('listing its fields threw Error');
  });

  it("keeps what the getter threw as the cause, and a valid body's encoding is unchanged", () => {
    const body = Object.defineProperty({ sender_id: 'x', ...slotSet('a', 1) }, 'value', {
      enumerable: true,
      get() {
        throw new TypeError('value is not available');
      },
    });
    expect(validationError(body).cause).toMatchObject({
      name: 'TypeError',
      message: 'value is not available',
    });
    expect(encodeEventBody({ sender_id: 'x', ...slotSet('a', 1, { timestamp: 2 }) }).body).toBe(
      '{"sender_id": "x", "event": "slot", "timestamp": 2.0, "name": "a", "value": 1}',
    );
  });
});

import { ConfigError, toEndpointConfig } from '@broker/core';
import { describe, expect, it } from 'vitest';
import { PikaMessageSource } from '../src/index';
import { recordingLogger } from './helpers/recording-logger';

describe('PikaMessageSource settings', () => {
  it('reads the broker section: the first queue, <queue>.dead-letter, publisher-only keys accepted silently', () => {
    const logger = recordingLogger();
    const source = PikaMessageSource.fromEndpointConfig(
      toEndpointConfig({
        url: 'amqp://bob:secret@rabbit/bots',
        queues: ['first', 'second'],
        confirm_window: 10,
        startup: 'buffer',
        raise_on_failure: true,
      }),
      { logger },
    );
    expect(source.queue).toBe('first');
    expect(source.deadLetterQueue).toBe('first.dead-letter');
    expect(source.description).toBe('queue first on amqp://bob@rabbit:5672/bots');
    expect(logger.warnings()).toEqual([]);
  });

  it('consumes the queue and dead-letter queue it is asked for', () => {
    const source = PikaMessageSource.fromEndpointConfig(toEndpointConfig({ url: 'rabbit', queues: ['a'] }), {
      queue: 'b',
      deadLetter: 'b.parked',
    });
    expect([source.queue, source.deadLetterQueue]).toEqual(['b', 'b.parked']);
  });

  it('exclusiveQueue: a queue RabbitMQ names, no dead-letter queue, not with queue or deadLetter', () => {
    const section = toEndpointConfig({ url: 'amqp://bob:secret@rabbit', queues: ['a'], exchange_name: 'x' });
    const source = PikaMessageSource.fromEndpointConfig(section, { exclusiveQueue: true });
    expect([source.queue, source.deadLetterQueue]).toEqual(['', undefined]);
    expect(source.description).toBe('an exclusive queue bound to exchange x on amqp://bob@rabbit:5672');
    for (const choice of [{ queue: 'a' }, { deadLetter: 'a.parked' }]) {
      expect(() =>
        PikaMessageSource.fromEndpointConfig(section, { exclusiveQueue: true, ...choice }),
      ).toThrow(/exclusiveQueue without queue or deadLetter/);
    }
  });

  it('refuses bad settings with errors naming the key, and warns about unknown ones', () => {
    expect(() =>
      PikaMessageSource.fromEndpointConfig(toEndpointConfig({ url: 'rabbit', port: 'x' })),
    ).toThrow(/event_broker\.port/);
    expect(() => new PikaMessageSource({ host: 'rabbit', queue: 'q', deadLetter: 'q' })).toThrow(
      /dead-letter queue cannot be the consumed queue/,
    );
    const logger = recordingLogger();
    new PikaMessageSource({ host: 'rabbit', logger, ...({ prefetch: 5 } as object) });
    expect(logger.warnings().join('\n')).toMatch(/PikaMessageSource options\.prefetch/);
  });

  it('checks maxInFlight (the prefetch) before connecting', async () => {
    const source = new PikaMessageSource({ host: 'rabbit' });
    for (const maxInFlight of [0, 1.5, 70_000]) {
      await expect(
        source.consume(() => undefined, { maxInFlight, signal: new AbortController().signal }),
      ).rejects.toSatisfy(
        (error: unknown) => ConfigError.isInstance(error) && /maxInFlight/.test(error.message),
      );
    }
    await source.close();
    await expect(
      source.consume(() => undefined, { maxInFlight: 1, signal: new AbortController().signal }),
    ).rejects.toThrow(/closed/);
  });
});

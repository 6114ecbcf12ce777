import { ConnectionError, type Logger } from '@broker/core';
import { describe, expect, it } from 'vitest';
import { watchSourceTrouble, withoutUserInfo } from '../src/view/live-feed';
import { isLoopback } from '../src/view/start-view';

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log =
    (level: string) =>
    (first: unknown, second?: string): void => {
      lines.push(`${level} ${typeof first === 'string' ? first : second}`);
    };
  const logger = {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  } as Logger & {
    lines: string[];
  };
  logger.child = () => logger;
  return logger;
}

describe('broker view: what the page learns about the source', () => {
  it('a warn or error with `err` from the source (or its children) is trouble; everything is still logged', () => {
    const logger = recorder();
    const trouble: string[] = [];
    const watched = watchSourceTrouble(logger, (message) => trouble.push(message));
    watched.info('consuming queue q');
    watched.warn('queues is not set');
    const child = watched.child?.({ source: 'pika' }) as Logger;
    child.warn(
      {
        err: new ConnectionError(
          'Cannot reach RabbitMQ at amqp://bob:hunter2@rabbit:5672: connection refused',
        ),
      },
      'cannot consume (attempt 1)',
    );
    child.error({ err: 'boom' }, 'kafka consumer stopped');
    expect(trouble).toEqual(['Cannot reach RabbitMQ at amqp://rabbit:5672: connection refused', 'boom']);
    expect(logger.lines).toEqual([
      'info consuming queue q',
      'warn queues is not set',
      'warn cannot consume (attempt 1)',
      'error kafka consumer stopped',
    ]);
  });

  it('withoutUserInfo drops user names and passwords of every URL in a text', () => {
    expect(withoutUserInfo('a amqp://bob@rabbit:5672/v and kafka+ssl://u:p@k:9093, not me@example.com')).toBe(
      'a amqp://rabbit:5672/v and kafka+ssl://k:9093, not me@example.com',
    );
  });

  it('isLoopback: 127.0.0.0/8, ::1 and localhost; anything else needs a token', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '127.0.0.1.example.com'])
      expect(isLoopback(host)).toBe(false);
  });
});

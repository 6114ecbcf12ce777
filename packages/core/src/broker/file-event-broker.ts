import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { asEndpointConfig, type EndpointConfig } from '../config/endpoint-config';
import { ConfigError, PublishError } from '../errors/errors';
import type { Logger } from '../logging/logger';
import type { MessagingTarget } from '../telemetry/channels';
import type { BufferLimits } from './buffer-limits';
import { BufferedEventBroker } from './buffered-event-broker';
import type { OutboundMessage } from './outbound-queue';

export interface FileEventBrokerOptions {
  /** File to append to, relative to the working directory as in Rasa. Default `rasa_event.log`. */
  path?: string;
  /** `fdatasync` after every write batch so `flush()` means "on disk". Default true. */
  fsync?: boolean;
  logger?: Logger;
  buffer?: BufferLimits;
}

const BATCH_EVENTS = 1000;
const BATCH_BYTES = 1024 * 1024;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

/**
 * Rasa's `type: file` broker: one JSON document per line, appended to `path`. Writes are
 * batched, each batch is one append (several brokers, even on the same file, never interleave
 * inside a line), and an event counts as confirmed once its batch is written and synced.
 * Unlike Rasa, two brokers in one process write only to their own files.
 */
export class FileEventBroker extends BufferedEventBroker {
  readonly path: string;
  private readonly fsync: boolean;
  private handle: FileHandle | undefined;
  private writing = false;
  private retryDelay = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(options: FileEventBrokerOptions = {}) {
    super({ name: 'file', logger: options.logger, buffer: options.buffer });
    this.path = resolve(options.path ?? 'rasa_event.log');
    this.fsync = options.fsync ?? true;
  }

  protected override describeTarget(): MessagingTarget {
    return { system: 'file', destination: this.path };
  }

  /**
   * Rasa's keys: `path` (other keys are refused, as Rasa's FileEventBroker takes no others).
   * `config` is an EndpointConfig or the section as written (`{ type: 'file', path }`).
   */
  static fromEndpointConfig(
    section: EndpointConfig | Record<string, unknown>,
    deps: { logger?: Logger } = {},
  ): FileEventBroker {
    const config = asEndpointConfig(section);
    const { path, ...rest } = config.kwargs;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) {
      throw new ConfigError(
        `event_broker: the file broker takes only \`path\`; remove ${unknown.map((k) => `\`${k}\``).join(', ')}.`,
        { file: config.file, key: `event_broker.${unknown[0]}` },
      );
    }
    if (path !== undefined && path !== null && typeof path !== 'string') {
      throw new ConfigError(`event_broker.path must be a file path string, got ${typeof path}.`, {
        file: config.file,
        key: 'event_broker.path',
      });
    }
    return new FileEventBroker({
      ...(path ? { path } : {}),
      ...(deps.logger ? { logger: deps.logger } : {}),
    });
  }

  protected start(): void {
    this.openFile().then(
      () => {
        this.setState('ready');
        this.wake();
      },
      (error: NodeJS.ErrnoException) => {
        this.fail(
          new ConfigError(
            `Cannot open the event file ${this.path} for appending (${error.code ?? error.message}).`,
            {
              cause: error,
              key: 'event_broker.path',
            },
          ),
        );
      },
    );
  }

  protected wake(): void {
    if (this.writing || !this.handle || this.retryTimer) return;
    this.writing = true;
    void this.drain();
  }

  protected async shutdown(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async openFile(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    this.handle = await open(this.path, 'a');
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const handle = this.handle;
        if (!handle) return;
        const batch = this.queue.take(BATCH_EVENTS, BATCH_BYTES);
        if (batch.length === 0) return;
        if (!(await this.writeBatch(handle, batch))) return;
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeBatch(handle: FileHandle, batch: OutboundMessage[]): Promise<boolean> {
    try {
      await handle.appendFile(batch.map((m) => `${m.body}\n`).join(''));
      if (this.fsync) await handle.datasync();
      this.queue.confirm(batch);
      this.retryDelay = RETRY_MIN_MS;
      return true;
    } catch (error) {
      this.queue.requeue(batch);
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.reportRetrying(
        new PublishError(`Writing to ${this.path} failed (${code}).`, { cause: error, canRetry: true }),
        `writing to ${this.path} failed (${code}); the events stay buffered and the write is retried`,
        { retryInMs: this.retryDelay },
      );
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.wake();
      }, this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
      return false;
    }
  }
}

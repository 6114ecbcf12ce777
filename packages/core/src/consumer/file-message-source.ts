import { followEventFile } from '../broker/follow-event-file';
import { asEndpointConfig, type EndpointConfig } from '../config/endpoint-config';
import { ConfigError } from '../errors/errors';
import type { ConsumeOptions, MessageSource, SourceMessage } from './message-source';

export interface FileMessageSourceOptions {
  path: string;
  /** Read the file from the start (default) or only what is appended from now on. */
  fromBeginning?: boolean;
  pollIntervalMs?: number;
}

/**
 * Consumes the file broker's file (`type: file`). A file has nothing to acknowledge, so
 * settling only frees the in-flight slot; dead letters are not supported and count as acks.
 */
export class FileMessageSource implements MessageSource {
  readonly name = 'file';
  readonly description: string;

  constructor(private readonly options: FileMessageSourceOptions) {
    this.description = options.path;
  }

  /** `config` is an EndpointConfig or the section as written (`{ type: 'file', path }`). */
  static fromEndpointConfig(
    section: EndpointConfig | Record<string, unknown>,
    options: { fromBeginning?: boolean } = {},
  ): FileMessageSource {
    const config = asEndpointConfig(section);
    const path = config.kwargs.path ?? 'rasa_event.log';
    if (typeof path !== 'string') {
      throw new ConfigError('event_broker.path must be a file path string.', {
        key: 'event_broker.path',
        file: config.file,
      });
    }
    return new FileMessageSource({
      path,
      ...(options.fromBeginning === undefined ? {} : { fromBeginning: options.fromBeginning }),
    });
  }

  async consume(onMessage: (message: SourceMessage) => void, options: ConsumeOptions): Promise<void> {
    let inFlight = 0;
    let freed: (() => void) | undefined;
    const lines = followEventFile(this.options.path, {
      fromStart: this.options.fromBeginning ?? true,
      signal: options.signal,
      ...(this.options.pollIntervalMs === undefined ? {} : { pollIntervalMs: this.options.pollIntervalMs }),
    });
    // A stop also wakes a wait for a free slot: a file keeps nothing unsettled to wait for.
    const wake = () => freed?.();
    options.signal.addEventListener('abort', wake, { once: true });
    options.onConsuming?.();
    try {
      for await (const line of lines) {
        while (inFlight >= options.maxInFlight && !options.signal.aborted) {
          await new Promise<void>((resolve) => (freed = resolve));
        }
        if (options.signal.aborted) break;
        inFlight++;
        let settled = false;
        onMessage({
          body: Buffer.from(line.body, 'utf8'),
          headers: {},
          key: undefined,
          redelivered: false,
          position: `${this.options.path}:${line.line}`,
          meta: { path: this.options.path, line: line.line },
          settle: async () => {
            if (settled) return;
            settled = true;
            inFlight--;
            freed?.();
          },
        });
      }
    } finally {
      options.signal.removeEventListener('abort', wake);
    }
  }

  async close(): Promise<void> {}
}

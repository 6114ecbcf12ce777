import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { isIP } from 'node:net';
import { ConfigError, type Logger, type MessageSource } from '@broker/core';
import { openMessageSource } from '../consumer/event-consumer';
import { type ConversationHistory, openConversationHistory } from './conversation-history';
import { runLiveFeed, watchSourceTrouble, withoutUserInfo } from './live-feed';
import { loadPageAssets } from './page-assets';
import { StreamHub } from './stream-hub';
import { ViewData } from './view-data';
import { createViewServer, listen } from './view-server';

export interface ViewOptions {
  /** The endpoints.yml whose event_broker is watched. */
  endpoints: string;
  /** The PostgreSQL sink's store, for the conversations before the viewer started. */
  databaseUrl?: string | undefined;
  schema?: string | undefined;
  host: string;
  /** 0: any free port. */
  port: number;
  /** Required on every request; required itself when `host` is not loopback. */
  token?: string | undefined;
  /** Characters of live event bodies kept for transcripts. */
  maxLiveChars: number;
  logger: Logger;
  /** The built page (default: next to the running bundle). */
  assetsDir?: string | undefined;
}

export interface RunningView {
  /** The page's address (without the token). */
  url: string;
  port: number;
  data: ViewData;
  /** Stops reading, ends the streams, closes the server and the store. */
  close(): Promise<void>;
}

const SOURCE_NAMES: Record<string, string> = { pika: 'RabbitMQ', kafka: 'Kafka', file: 'File broker' };

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

function pageUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${isIP(shown) === 6 ? `[${shown}]` : shown}:${port}/`;
}

/**
 * `broker view`: reads the endpoints file's event broker on a queue or group of its own (never
 * taking events from other consumers) and, when given, the stored history, and serves the page.
 */
export async function startView(options: ViewOptions): Promise<RunningView> {
  const { logger } = options;
  if (!isLoopback(options.host) && !options.token) {
    throw new ConfigError(
      `--host ${options.host} is reachable from other machines: give --token <secret> (or BROKER_VIEW_TOKEN), which every request must then carry.`,
      { key: 'token' },
    );
  }
  const assets = loadPageAssets(options.assetsDir);
  const hub = new StreamHub();
  const stopping = new AbortController();
  let data: ViewData | undefined;
  let source: MessageSource | undefined;
  let history: ConversationHistory | undefined;
  let server: Server | undefined;
  try {
    source = await openMessageSource(options.endpoints, {
      logger: watchSourceTrouble(logger, (message) => data?.setSourceState('reconnecting', message)),
      // Its own group (Kafka) or queue (RabbitMQ): the viewer takes nothing from other consumers.
      groupId: `broker-view-${randomUUID().slice(0, 8)}`,
      exclusiveQueue: true,
    });
    history = await openConversationHistory({ databaseUrl: options.databaseUrl, schema: options.schema });
    data = new ViewData({
      hub,
      history,
      sourceDescription: withoutUserInfo(
        `${SOURCE_NAMES[source.name] ?? source.name}: ${source.description}`,
      ),
      maxLiveChars: options.maxLiveChars,
    });
    server = createViewServer({ data, hub, assets, token: options.token });
    const address = await listen(server, options.host, options.port);
    const feeding = runLiveFeed(source, data, stopping.signal, logger);
    const loading = data.loadHistory(stopping.signal);
    const [opened, listening] = [source, server];
    return {
      url: pageUrl(options.host, address.port),
      port: address.port,
      data,
      close: async () => {
        stopping.abort();
        await Promise.all([feeding, loading]);
        await opened.close();
        hub.close();
        listening.closeAllConnections();
        await new Promise<void>((resolve) => listening.close(() => resolve()));
        await history?.close();
      },
    };
  } catch (error) {
    await source?.close().catch(() => undefined);
    await history?.close().catch(() => undefined);
    hub.close();
    server?.close();
    throw error;
  }
}

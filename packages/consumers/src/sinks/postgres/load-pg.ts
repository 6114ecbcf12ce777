import {
  AuthenticationError,
  ConfigError,
  ConnectionError,
  censorUrl,
  importModule,
  MissingDependencyError,
} from '@broker/core';
import { SinkError } from '../sink-error';

/** The part of node-postgres we use; our own shape so pg's types never reach our public API. */
export interface PgQueryable {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

export interface PgClient extends PgQueryable {
  /** Back to the pool; with an error (or true) the connection is closed instead of reused. */
  release(destroy?: boolean | Error): void;
}

interface PgEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface PgPool extends PgQueryable {
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'connect', listener: (client: PgEmitter) => void): unknown;
}

interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool;
}

export const DATABASE_URL_HINT =
  'set DATABASE_URL or pass --database-url, e.g. postgres://postgres@127.0.0.1:5432/test';

/** Imports `pg` only when a PostgreSQL sink or reader is used; says how to install it when missing. */
export async function loadPg(): Promise<PgModule> {
  let module: unknown;
  try {
    // Next to @broker/consumers first (where a peer dependency is installed), then the application's.
    module = await import('pg').catch((error: unknown) => {
      if (!isMissingPg(error)) throw error;
      return importModule('pg');
    });
  } catch (error) {
    if (isMissingPg(error)) {
      throw new MissingDependencyError(
        'pg',
        'The PostgreSQL sink needs the pg package (node-postgres), which is not installed. Install it with `npm install pg`.',
        { cause: error },
      );
    }
    throw error;
  }
  return ((module as { default?: unknown }).default ?? module) as PgModule;
}

function isMissingPg(error: unknown): boolean {
  return /Cannot find (module|package) 'pg'/.test(String((error as Error)?.message ?? error));
}

/**
 * Opens a small pool. Connection errors never crash the process: the pool reports those of idle
 * connections to `onIdleError`, and a connection in use gets a listener of its own (pg-pool
 * listens only while a connection is idle, and an unheard `'error'` event, such as "Connection
 * terminated unexpectedly" when PostgreSQL or the network drops it, would kill the process);
 * the query in progress fails with the same error, and that failure is what callers handle.
 */
export async function openPool(
  connectionString: string | undefined,
  onIdleError: (error: Error) => void,
  max = 2,
): Promise<PgPool> {
  if (!connectionString) {
    throw new ConfigError(`No PostgreSQL database given: ${DATABASE_URL_HINT}.`, { key: 'databaseUrl' });
  }
  if (!/^postgres(ql)?:\/\//.test(connectionString)) {
    throw new ConfigError(
      `The database URL ${censorUrl(connectionString)} is not a PostgreSQL URL: it must start with postgres:// or postgresql://.`,
      { key: 'databaseUrl' },
    );
  }
  const { Pool } = await loadPg();
  const pool = new Pool({
    connectionString,
    max,
    application_name: 'broker-consumers',
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', onIdleError);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATEs of a server that cannot serve us now: 08 connection exceptions, 57P operator
 * intervention (57P01 admin shutdown, 57P03 cannot connect now), 53300 too many connections,
 * 55000 "database is not currently accepting connections" (ALLOW_CONNECTIONS false).
 */
const UNAVAILABLE_SQLSTATE = /^(08|57P|53300$|55000$)/;

/** What node-postgres says (without a code) when the connection goes away under it. */
const LOST_CONNECTION_MESSAGE =
  /^(Connection terminated( unexpectedly)?|Client has encountered a connection error and is not queryable|Connection terminated due to connection timeout)$/;

/**
 * SQLSTATEs of bad data (classes 22 and 23, and 54000 for a value too large to store): the same
 * rows fail again however often they are retried.
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23|54000$)/.test(code);
}

/** Maps a node-postgres error to one of ours, naming the (censored) database and the fix. */
export function toDatabaseError(error: unknown, connectionString: string, doing: string): Error {
  const where = censorUrl(connectionString);
  const code = (error as { code?: unknown })?.code;
  const message = String((error as Error)?.message ?? error);
  if (
    (typeof code === 'string' && (CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) ||
    (code === undefined && LOST_CONNECTION_MESSAGE.test(message))
  ) {
    return new ConnectionError(
      `Cannot ${doing}: PostgreSQL at ${where} is unreachable (${code === 'ECONNREFUSED' ? 'connection refused' : message}). Is it running? Otherwise ${DATABASE_URL_HINT}.`,
      { cause: error },
    );
  }
  if (/timeout/i.test(message) && /connect/i.test(message)) {
    return new ConnectionError(
      `Cannot ${doing}: PostgreSQL at ${where} did not answer in time (${message}).`,
      {
        cause: error,
      },
    );
  }
  if (code === '28P01' || code === '28000') {
    return new AuthenticationError(
      `Cannot ${doing}: PostgreSQL at ${where} rejected the credentials (${message}). Check the user and password in the database URL.`,
      { cause: error },
    );
  }
  if (code === '3D000') {
    return new ConfigError(
      `Cannot ${doing}: ${message} at ${where}. Create it (createdb) or point the database URL at an existing one.`,
      { key: 'databaseUrl', cause: error },
    );
  }
  return new SinkError('postgres', `Cannot ${doing} (PostgreSQL at ${where}): ${message}`, {
    cause: error,
    canRetry: !isDataError(error),
    details: typeof code === 'string' ? { sqlstate: code } : undefined,
  });
}

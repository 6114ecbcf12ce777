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
  release(destroy?: boolean | Error): void;
}

export interface PgPool extends PgQueryable {
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
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

/** Opens a small pool; idle-connection errors are reported instead of crashing the process. */
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
]);

/** SQLSTATE classes of bad data: the same rows fail again however often they are retried. */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23)/.test(code);
}

/** Maps a node-postgres error to one of ours, naming the (censored) database and the fix. */
export function toDatabaseError(error: unknown, connectionString: string, doing: string): Error {
  const where = censorUrl(connectionString);
  const code = (error as { code?: unknown })?.code;
  const message = String((error as Error)?.message ?? error);
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^(08|57P)/.test(code))) {
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

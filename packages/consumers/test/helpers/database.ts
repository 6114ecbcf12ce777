import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL (trust auth, database `test`), or DATABASE_URL. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Fails with how to start PostgreSQL when it does not answer. */
export async function requirePostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL does not answer at ${DATABASE_URL} (${(error as Error).message}). Start it (Debian: apt-get install -y postgresql && pg_ctlcluster 15 main start; database 'test', trust auth on 127.0.0.1) or set DATABASE_URL.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** A schema name unique to one test; drop it with `dropSchema`. */
export function uniqueSchema(): string {
  return `consumers_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

export function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  return sqlAt<T>(DATABASE_URL, text, values);
}

/** One statement on the database at `databaseUrl` (a database a test created, or through a proxy). */
export async function sqlAt<T = Record<string, unknown>>(
  databaseUrl: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

import { hash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { nodeMeasurement, type RunMeasurement, startResourceMonitor } from 'broker-bench-harness';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyText } from '../src/sinks/postgres/copy-rows';
import { migrate } from '../src/sinks/postgres/migrations';

/** The ceiling for the PostgreSQL sink: the raw client storing the same rows, no broker. */
export interface RawPostgresRun {
  /** A file of wire bodies, one per line. */
  file: string;
  databaseUrl: string;
  method: 'copy' | 'insert';
  warmup: number;
  messages: number;
  /** Rows per transaction. */
  batchSize: number;
}

/** The sink's columns for one body: what it stores for a delivery with a message id and no headers. */
function row(body: string, line: number): (string | number | null)[] {
  const event = JSON.parse(body) as { sender_id: string; event: string; timestamp?: number };
  const timestamp = typeof event.timestamp === 'number' ? event.timestamp : null;
  const position = `file:${line}`;
  return [
    event.sender_id,
    event.event,
    timestamp,
    body,
    body,
    hash('sha256', body, 'hex'),
    '{}',
    position,
    position,
  ];
}

const COLUMNS =
  'sender_id, type, event_timestamp, body, body_text, body_sha256, headers, source_position, source_message_id';

/**
 * Reads the bodies from the file and stores them in a fresh schema with the sink's tables and
 * indexes: a transaction per `batchSize` rows, inserting the batch's conversations, then the
 * events with `COPY FROM STDIN` (pg-copy-streams) or one multi-row `INSERT ... SELECT FROM
 * unnest(...)`. One connection, one transaction at a time; timed after `warmup` rows.
 */
export async function storeRaw(run: RawPostgresRun): Promise<RunMeasurement> {
  const schema = `bench_raw_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const pool = new pg.Pool({ connectionString: run.databaseUrl, max: 1 });
  await migrate(pool, schema);
  const client = await pool.connect();
  try {
    const s = `"${schema}"`;
    const store = async (rows: (string | number | null)[][]) => {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${s}.conversations (sender_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`,
        [[...new Set(rows.map((r) => r[0]))]],
      );
      if (run.method === 'copy') {
        const stream = client.query(copyFrom(`COPY ${s}.events (${COLUMNS}) FROM STDIN`));
        await new Promise<void>((resolve, reject) => {
          stream.on('finish', resolve);
          stream.on('error', reject);
          stream.end(copyText(rows));
        });
      } else {
        await client.query(
          `INSERT INTO ${s}.events (${COLUMNS})
           SELECT s, t, ts, b::jsonb, b, h, '{}', p, m
           FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(s, t, ts, b, h, p, m)`,
          [0, 1, 2, 3, 5, 7, 8].map((column) => rows.map((r) => r[column])),
        );
      }
      await client.query('COMMIT');
    };
    const readAndStore = async (lines: string[], first: number) => {
      for (let i = 0; i < lines.length; i += run.batchSize) {
        await store(lines.slice(i, i + run.batchSize).map((body, j) => row(body, first + i + j)));
      }
    };
    const all = readFileSync(run.file, 'utf8').split('\n', run.warmup + run.messages);
    await readAndStore(all.slice(0, run.warmup), 0);
    const monitor = startResourceMonitor();
    const startedAt = performance.now();
    // Read again inside the timing: the sink's side parses what it receives too.
    const measured = readFileSync(run.file, 'utf8')
      .split('\n', run.warmup + run.messages)
      .slice(run.warmup);
    await readAndStore(measured, run.warmup);
    const seconds = (performance.now() - startedAt) / 1000;
    const usage = monitor.stop();
    return nodeMeasurement(
      run.messages,
      seconds,
      usage,
      {},
      { method: run.method, batchSize: run.batchSize },
    );
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    client.release();
    await pool.end();
  }
}

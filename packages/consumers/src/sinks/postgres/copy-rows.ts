import type { PgClient } from './load-pg';

/** A value of a COPY text-format row: `null` is SQL NULL. */
export type CopyValue = string | number | null;

/** Characters COPY's text format gives a meaning: the column and row separators, the escape. */
const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function field(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] as string) : value;
}

/** Rows in COPY's text format (tab-separated, `\N` for NULL, backslash escapes). */
export function copyText(rows: readonly (readonly CopyValue[])[]): string {
  let text = '';
  for (const row of rows) text += `${row.map(field).join('\t')}\n`;
  return text;
}

interface CopyStream {
  on(event: 'finish', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(chunk: string): unknown;
}

interface CopyModule {
  from(sql: string): unknown;
}

let copyModule: Promise<CopyModule> | undefined;

/**
 * `COPY ... FROM STDIN` of the given text on a pooled connection (pg-copy-streams), resolving
 * once PostgreSQL took every row, rejecting with its error (then the transaction is aborted).
 */
export async function copyFrom(client: PgClient, sql: string, text: string): Promise<void> {
  copyModule ??= import('pg-copy-streams').then(
    (module) => ((module as { default?: unknown }).default ?? module) as CopyModule,
  );
  const { from } = await copyModule;
  const stream = (client as unknown as { query(submittable: unknown): CopyStream }).query(from(sql));
  await new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
    stream.end(text);
  });
}

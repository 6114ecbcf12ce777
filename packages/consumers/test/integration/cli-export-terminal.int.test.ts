import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandLine, processTree } from '../helpers/processes';
import { CLI } from '../helpers/run-cli';
import { deleteRabbit, endpointsFile, pikaEndpoint, rabbitNames, requireRabbitMq } from '../helpers/services';
import { barFrames, requireScript, shellQuote, startOnTerminal } from '../helpers/terminal';

let url: string;
const names = rabbitNames();
const work = mkdtempSync(join(tmpdir(), 'consumers-terminal-'));

beforeAll(async () => {
  requireScript();
  url = (await requireRabbitMq('main')).url;
});

afterAll(async () => {
  await deleteRabbit(url, names);
});

/**
 * Whether what is written at `index` starts on an empty line: a new one, or one just erased
 * (carriage return, erase line, line wrapping back on), not behind what the bar drew there.
 */
function startsOnEmptyLine(screen: string, index: number): boolean {
  const before = screen.slice(0, index);
  const line = before.slice(before.lastIndexOf('\n') + 1).replace('\u001b[?7h', '');
  return line === '' || line === '\r' || line.endsWith('\r\u001b[2K');
}

describe('Ctrl-C while `broker export` draws its progress bar', () => {
  it('writes each message on a line of its own, and the bar goes on below it', async () => {
    const total = 20_000;
    const dump = join(work, `terminal-dump-${randomUUID().slice(0, 8)}.json`);
    writeFileSync(
      dump,
      JSON.stringify({
        sender_id: 'terminal',
        events: Array.from({ length: total }, (_, i) => ({ event: 'restart', timestamp: 1_700_000_000 + i })),
      }),
    );
    const endpoints = endpointsFile(pikaEndpoint(url, names));
    const run = startOnTerminal(
      ['export', '-e', endpoints, '--tracker-dump', dump, '--chunk-size', '20'],
      ` > ${shellQuote(join(work, 'stdout.txt'))}`,
    );
    try {
      await run.waitForOutput(/exporting \[[=-]+\] [1-9]\d*\/20000 events/);
      const exporter = processTree(run.child.pid as number).find((pid) =>
        commandLine(pid).startsWith(`${process.execPath} ${CLI} export`),
      );
      expect(exporter).toBeDefined();
      // What the terminal does on Ctrl-C (without the echo of ^C, which a cleared line covers too).
      process.kill(exporter as number, 'SIGINT');
      const result = await run.done;
      const screen = result.stdout + result.stderr;
      expect(result.code, screen).toBe(130);

      const stopping = screen.indexOf('broker: SIGINT: stopping the export after the current chunk');
      expect(stopping, screen).toBeGreaterThan(0);
      expect(
        startsOnEmptyLine(screen, stopping),
        JSON.stringify(screen.slice(stopping - 120, stopping)),
      ).toBe(true);
      // The bar was drawn again below the message, then finished before the continuation.
      expect(barFrames(screen.slice(stopping)).length, screen).toBeGreaterThan(0);
      const interrupted = screen.indexOf('broker: error: The export was interrupted after');
      expect(interrupted, screen).toBeGreaterThan(stopping);
      expect(startsOnEmptyLine(screen, interrupted)).toBe(true);
      expect(screen.slice(interrupted)).toMatch(
        /^broker: error: The export was interrupted after \d+ event\(s\)\.\r\nTo continue where the export stopped, run:\r\n {2}broker export --endpoints \S+ --tracker-dump \S+ --minimum-timestamp \d+ --chunk-size 20\r\n/,
      );
    } finally {
      run.kill();
    }
  });
});

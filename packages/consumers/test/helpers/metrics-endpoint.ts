import { expect } from 'vitest';
import type { CliRun } from './run-cli';

/** The base URL a command with `--metrics-port 0` printed (`http://127.0.0.1:<port>`). */
export async function metricsUrl(run: CliRun): Promise<string> {
  const printed = /serving metrics on (http:\/\/[^/\s]+)\/metrics/;
  await run.waitForOutput(printed);
  const { stdout, stderr } = run.output();
  const match = printed.exec(stdout + stderr);
  expect(match).not.toBeNull();
  return match?.[1] as string;
}

/** One scrape of `/metrics`. */
export async function scrape(base: string): Promise<PrometheusText> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  return new PrometheusText(await response.text());
}

/** `/readyz`: its status and the checks it reports. */
export async function readiness(
  base: string,
): Promise<{ status: number; ready: boolean; checks: { name: string; ok: boolean; detail?: string }[] }> {
  const response = await fetch(`${base}/readyz`);
  const body = (await response.json()) as { ready: boolean; checks: { name: string; ok: boolean }[] };
  return { status: response.status, ...body };
}

/** A scrape in the Prometheus text format, read by metric name and labels. */
export class PrometheusText {
  constructor(readonly text: string) {}

  /** The samples of `name` whose labels include `labels`, summed; undefined when there is none. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    let sum: number | undefined;
    for (const line of this.text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const present = new Map(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) {
        sum = (sum ?? 0) + Number(match[3]);
      }
    }
    return sum;
  }
}

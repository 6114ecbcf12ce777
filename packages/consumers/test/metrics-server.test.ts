import { describe, expect, it } from 'vitest';
import { type ReadinessCheck, startMetricsServer } from '../src/cli/metrics-server';

async function serving(checks: ReadinessCheck[]) {
  return startMetricsServer({
    host: '127.0.0.1',
    port: 0,
    metrics: (_, response) => response.end('# metrics\n'),
    readiness: () => checks,
  });
}

describe('the metrics server', () => {
  it('serves /metrics, /healthz, and /readyz as 200 when every check is ok', async () => {
    const server = await serving([{ name: 'broker', ok: true }]);
    const base = `http://${server.address}`;
    expect(await (await fetch(`${base}/metrics`)).text()).toBe('# metrics\n');
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
    const ready = await fetch(`${base}/readyz?verbose`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: [{ name: 'broker', ok: true }] });
    await server.close();
  });

  it('answers /readyz with 503 naming what is not ready', async () => {
    const checks = [
      { name: 'broker', ok: true },
      { name: 'sink', ok: false, detail: 'the postgres sink is unavailable' },
    ];
    const server = await serving(checks);
    const response = await fetch(`http://${server.address}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ready: false, checks });
    await server.close();
  });

  it('404 for other paths, 405 for other methods', async () => {
    const server = await serving([]);
    const base = `http://${server.address}`;
    const missing = await fetch(`${base}/`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('/metrics, /healthz or /readyz');
    const post = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await server.close();
  });

  it('a port in use is a ConfigError naming --metrics-port', async () => {
    const first = await serving([]);
    const port = Number(first.address.split(':').at(-1));
    await expect(
      startMetricsServer({ host: '127.0.0.1', port, metrics: () => undefined, readiness: () => [] }),
    ).rejects.toMatchObject({ name: 'ConfigError', key: '--metrics-port' });
    await first.close();
  });
});

import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TcpProxy } from '../tcp-proxy.mjs';

let echo: Server;
let echoPort: number;
let proxy: TcpProxy;
const clients: Socket[] = [];

beforeEach(async () => {
  echo = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  echoPort = await new Promise((resolve) =>
    echo.listen(0, '127.0.0.1', () => resolve((echo.address() as { port: number }).port)),
  );
  proxy = await TcpProxy.start('127.0.0.1', echoPort);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

async function client(): Promise<{ socket: Socket; received: () => string; next: () => Promise<string> }> {
  const socket = tcpConnect(proxy.port, '127.0.0.1');
  clients.push(socket);
  await new Promise((resolve) => socket.once('connect', resolve));
  let text = '';
  const waiters: ((chunk: string) => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    for (const wake of waiters.splice(0)) wake(chunk.toString());
  });
  return {
    socket,
    received: () => text,
    next: () => new Promise((resolve) => waiters.push(resolve)),
  };
}

describe('TcpProxy', () => {
  it('forwards both ways while open', async () => {
    const c = await client();
    const reply = c.next();
    c.socket.write('ping');
    expect(await reply).toBe('ping');
  });

  it('holds traffic while cut and delivers it, in order, on resume', async () => {
    const c = await client();
    proxy.cut();
    c.socket.write('one ');
    c.socket.write('two');
    await sleep(100);
    expect(c.received()).toBe('');
    expect(proxy.heldBytes).toBe(7);
    const reply = new Promise<void>((resolve) =>
      c.socket.on('data', () => c.received() === 'one two' && resolve()),
    );
    proxy.resume();
    await reply;
    expect(c.received()).toBe('one two');
    expect(proxy.heldBytes).toBe(0);
  });

  it('holds connections opened during a cut too', async () => {
    proxy.cut();
    const c = await client();
    c.socket.write('late');
    await sleep(50);
    expect(c.received()).toBe('');
    const reply = c.next();
    proxy.resume();
    expect(await reply).toBe('late');
  });

  it('delays every chunk in each direction when slow', async () => {
    const c = await client();
    proxy.slow(80);
    const started = Date.now();
    const reply = c.next();
    c.socket.write('slow');
    expect(await reply).toBe('slow');
    // 80 ms to the server, 80 ms back.
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('drops every connection on reset and forwards new ones at once', async () => {
    const old = await client();
    // The dropped connection may end with a reset: that is what this test expects.
    old.socket.on('error', () => undefined);
    proxy.cut();
    old.socket.write('lost');
    const closed = new Promise((resolve) => old.socket.once('close', resolve));
    proxy.reset();
    await closed;
    expect(old.received()).toBe('');
    expect(proxy.heldBytes).toBe(0);
    const fresh = await client();
    const reply = fresh.next();
    fresh.socket.write('fresh');
    expect(await reply).toBe('fresh');
  });
});

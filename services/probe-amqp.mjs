#!/usr/bin/env node
// Dependency-free AMQP 0-9-1 liveness probe: opens a TCP (or TLS) connection, sends the
// protocol header and waits for the server's `connection.start` method frame. A port that
// merely accepts connections does not pass; a RabbitMQ that is booting or shutting down
// does not pass either.
//
//   node services/probe-amqp.mjs [--wait SECONDS] [--quiet] HOST:PORT
//        [--tls --ca FILE --cert FILE --key FILE --servername NAME]
//
// Exit code 0 when the handshake succeeded (prints product/version), 1 otherwise.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

/** Reads an AMQP field table (enough of it to find `product` and `version`). */
function readTable(buf, offset, end) {
  const out = {};
  let p = offset;
  while (p < end) {
    const nameLen = buf[p];
    const name = buf.toString('utf8', p + 1, p + 1 + nameLen);
    p += 1 + nameLen;
    const type = String.fromCharCode(buf[p]);
    p += 1;
    switch (type) {
      case 'S': {
        const len = buf.readUInt32BE(p);
        out[name] = buf.toString('utf8', p + 4, p + 4 + len);
        p += 4 + len;
        break;
      }
      case 'F':
      case 'A':
      case 'x': {
        const len = buf.readUInt32BE(p);
        p += 4 + len;
        break;
      }
      case 't':
      case 'b':
      case 'B':
        p += 1;
        break;
      case 's':
      case 'u':
        p += 2;
        break;
      case 'I':
      case 'i':
      case 'f':
        p += 4;
        break;
      case 'D':
        p += 5;
        break;
      case 'l':
      case 'L':
      case 'd':
      case 'T':
        p += 8;
        break;
      case 'V':
        break;
      default:
        return out; // unknown type: stop, what we have is enough
    }
  }
  return out;
}

function loadTlsFiles(t) {
  const read = (f) => (f ? readFileSync(f) : undefined);
  return { ca: read(t.ca), cert: read(t.cert), key: read(t.key) };
}

/**
 * Resolves `{ product, version, host, port }` once the server sent `connection.start`.
 * @param {{host?: string, port?: number, timeoutMs?: number,
 *          tls?: {ca?: string, cert?: string, key?: string, servername?: string}}} options
 */
export function amqpHandshake({ host = '127.0.0.1', port = 5672, timeoutMs = 3000, tls: tlsOpts } = {}) {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let done = false;
    let socket;
    const where = `${tlsOpts ? 'amqps' : 'amqp'}://${host}:${port}`;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(
      () => finish(new Error(`${where}: no AMQP connection.start within ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      socket = tlsOpts
        ? tls.connect({
            host,
            port,
            servername: tlsOpts.servername ?? (net.isIP(host) ? undefined : host),
            ...loadTlsFiles(tlsOpts),
            rejectUnauthorized: true,
          })
        : net.connect({ host, port });
    } catch (err) {
      finish(err);
      return;
    }
    socket.once(tlsOpts ? 'secureConnect' : 'connect', () => socket.write(PROTOCOL_HEADER));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 8 && buf.toString('latin1', 0, 4) === 'AMQP') {
        finish(
          new Error(
            `${where}: server refused AMQP 0-9-1 (it wants protocol ${[...buf.subarray(4, 8)].join('.')})`,
          ),
        );
        return;
      }
      if (buf.length < 7) return;
      const type = buf[0];
      const channel = buf.readUInt16BE(1);
      const size = buf.readUInt32BE(3);
      if (type !== 1 || channel !== 0) {
        finish(new Error(`${where}: unexpected first frame (type ${type}, channel ${channel})`));
        return;
      }
      if (buf.length < 7 + size + 1) return;
      const classId = buf.readUInt16BE(7);
      const methodId = buf.readUInt16BE(9);
      if (classId !== 10 || methodId !== 10) {
        finish(new Error(`${where}: first method is ${classId}.${methodId}, not connection.start`));
        return;
      }
      let props = {};
      try {
        const tableLen = buf.readUInt32BE(13);
        props = readTable(buf, 17, 17 + tableLen);
      } catch {
        // properties are informational only
      }
      finish(null, { host, port, product: props.product ?? 'unknown', version: props.version ?? 'unknown' });
    });
    socket.on('error', (err) => finish(new Error(`${where}: ${err.message}`)));
    socket.on('close', () => finish(new Error(`${where}: connection closed before connection.start`)));
  });
}

/** Retries `amqpHandshake` until it succeeds or `waitMs` elapsed; rejects with the last error. */
export async function waitForAmqp(options, waitMs) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await amqpHandshake(options);
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

async function main(argv) {
  const opts = { waitMs: 0, quiet: false, tls: null, target: null };
  const tlsOpts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--wait') opts.waitMs = Number(argv[++i]) * 1000;
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--tls') opts.tls = tlsOpts;
    else if (a === '--ca') tlsOpts.ca = argv[++i];
    else if (a === '--cert') tlsOpts.cert = argv[++i];
    else if (a === '--key') tlsOpts.key = argv[++i];
    else if (a === '--servername') tlsOpts.servername = argv[++i];
    else if (!a.startsWith('--') && !opts.target) opts.target = a;
    else {
      console.error(`probe-amqp: unknown argument ${a}`);
      return 2;
    }
  }
  if (!opts.target) {
    console.error(
      'usage: probe-amqp.mjs [--wait SECONDS] [--quiet] HOST:PORT [--tls --ca F --cert F --key F]',
    );
    return 2;
  }
  const idx = opts.target.lastIndexOf(':');
  const host = opts.target.slice(0, idx);
  const port = Number(opts.target.slice(idx + 1));
  try {
    const r = await waitForAmqp({ host, port, tls: opts.tls ?? undefined, timeoutMs: 3000 }, opts.waitMs);
    if (!opts.quiet)
      console.log(`${opts.tls ? 'amqps' : 'amqp'}://${host}:${port} ${r.product} ${r.version}`);
    return 0;
  } catch (err) {
    if (!opts.quiet) console.error(`probe-amqp: ${err.message}`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

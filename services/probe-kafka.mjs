#!/usr/bin/env node
// Dependency-free Kafka liveness probe (node:net / node:tls only). For each listener it
// sends ApiVersions v0, authenticates with SASL/PLAIN when the target carries credentials,
// then sends a Metadata request and checks that the broker lists the expected brokers and
// advertises the port we connected to. "Port open" is not enough to pass.
//
//   node services/probe-kafka.mjs [--wait SECONDS] [--expect-brokers N] [--quiet]
//        [--ca FILE] [--cert FILE] [--key FILE] TARGET...
//
// TARGET is one of
//   plaintext://HOST:PORT            ssl://HOST:PORT              (TLS, --ca/--cert/--key)
//   sasl_plaintext://USER:PASS@HOST:PORT    sasl_ssl://USER:PASS@HOST:PORT   (SASL/PLAIN)
// Exit code 0 when every target passed, 1 otherwise.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const API = { Metadata: 3, SaslHandshake: 17, ApiVersions: 18, SaslAuthenticate: 36 };

const int16 = (v) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
};
const int32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const str = (s) => (s == null ? int16(-1) : Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]));
const bytes = (b) => Buffer.concat([int32(b.length), b]);

class Reader {
  constructor(buf) {
    this.buf = buf;
    this.p = 0;
  }
  i8() {
    return this.buf.readInt8(this.p++);
  }
  i16() {
    const v = this.buf.readInt16BE(this.p);
    this.p += 2;
    return v;
  }
  i32() {
    const v = this.buf.readInt32BE(this.p);
    this.p += 4;
    return v;
  }
  str() {
    const len = this.i16();
    if (len < 0) return null;
    const s = this.buf.toString('utf8', this.p, this.p + len);
    this.p += len;
    return s;
  }
  bytes() {
    const len = this.i32();
    if (len < 0) return null;
    const b = this.buf.subarray(this.p, this.p + len);
    this.p += len;
    return b;
  }
  array(fn) {
    const n = this.i32();
    const out = [];
    for (let i = 0; i < n; i++) out.push(fn(this));
    return out;
  }
}

/** One Kafka connection with request/response correlation (non-flexible versions only). */
class KafkaConnection {
  constructor(socket) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.pending = new Map();
    this.nextId = 1;
    socket.on('data', (chunk) => this.onData(chunk));
    const fail = (err) => {
      for (const { reject } of this.pending.values()) reject(err);
      this.pending.clear();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the broker')));
  }
  onData(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 4) {
      const size = this.buf.readInt32BE(0);
      if (this.buf.length < 4 + size) return;
      const frame = this.buf.subarray(4, 4 + size);
      this.buf = this.buf.subarray(4 + size);
      const id = frame.readInt32BE(0);
      const p = this.pending.get(id);
      if (p) {
        this.pending.delete(id);
        p.resolve(new Reader(frame.subarray(4)));
      }
    }
  }
  request(apiKey, version, body = Buffer.alloc(0)) {
    const id = this.nextId++;
    const header = Buffer.concat([int16(apiKey), int16(version), int32(id), str('broker-services-probe')]);
    const payload = Buffer.concat([header, body]);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(Buffer.concat([int32(payload.length), payload]));
    });
  }
}

function connect({ host, port, tls: tlsOpts, timeoutMs }) {
  return new Promise((resolve, reject) => {
    let socket;
    const timer = setTimeout(() => {
      socket?.destroy();
      reject(new Error(`connect timeout after ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (err) => {
      clearTimeout(timer);
      if (err) {
        socket?.destroy();
        reject(err);
      } else resolve(socket);
    };
    if (tlsOpts) {
      const read = (f) => (f ? readFileSync(f) : undefined);
      socket = tls.connect({
        host,
        port,
        servername: tlsOpts.servername ?? (net.isIP(host) ? undefined : host),
        ca: read(tlsOpts.ca),
        cert: read(tlsOpts.cert),
        key: read(tlsOpts.key),
        rejectUnauthorized: true,
      });
      socket.once('secureConnect', () => done());
    } else {
      socket = net.connect({ host, port });
      socket.once('connect', () => done());
    }
    socket.once('error', (err) => done(err));
  });
}

function pickVersion(versions, apiKey, preferred) {
  const v = versions.get(apiKey);
  if (!v) throw new Error(`broker does not support API key ${apiKey}`);
  for (const candidate of preferred) if (candidate >= v.min && candidate <= v.max) return candidate;
  throw new Error(
    `no common version for API key ${apiKey} (broker ${v.min}..${v.max}, probe ${preferred.join(',')})`,
  );
}

async function withTimeout(promise, ms, what) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * ApiVersions (+ SASL/PLAIN) (+ Metadata) against one listener.
 * @param {{host: string, port: number, tls?: object, sasl?: {username: string, password: string},
 *          metadata?: boolean, timeoutMs?: number}} target
 * @returns {Promise<{apiVersions: number, brokers: {nodeId: number, host: string, port: number}[],
 *          controllerId: number|null, clusterId: string|null}>}
 */
export async function probeKafka(target) {
  const timeoutMs = target.timeoutMs ?? 3000;
  const socket = await connect({ ...target, timeoutMs });
  try {
    const conn = new KafkaConnection(socket);
    const ask = (k, v, body, what) => withTimeout(conn.request(k, v, body), timeoutMs, what);
    const av = await ask(API.ApiVersions, 0, undefined, 'ApiVersions');
    const err = av.i16();
    if (err !== 0) throw new Error(`ApiVersions error code ${err}`);
    const versions = new Map();
    for (const e of av.array((r) => ({ key: r.i16(), min: r.i16(), max: r.i16() }))) versions.set(e.key, e);
    const result = { apiVersions: versions.size, brokers: [], controllerId: null, clusterId: null };
    if (target.sasl) {
      const hv = pickVersion(versions, API.SaslHandshake, [1]);
      const hs = await ask(API.SaslHandshake, hv, str('PLAIN'), 'SaslHandshake');
      const herr = hs.i16();
      const mechanisms = hs.array((r) => r.str());
      if (herr !== 0)
        throw new Error(`SASL mechanism PLAIN not enabled (broker offers ${mechanisms.join(', ')})`);
      const av2 = pickVersion(versions, API.SaslAuthenticate, [0, 1, 2]);
      const token = Buffer.from(`\0${target.sasl.username}\0${target.sasl.password}`);
      const auth = await ask(API.SaslAuthenticate, av2, bytes(token), 'SaslAuthenticate');
      const aerr = auth.i16();
      const amsg = auth.str();
      if (aerr !== 0) throw new Error(`SASL/PLAIN authentication failed (code ${aerr}: ${amsg})`);
    }
    if (target.metadata !== false) {
      const mv = pickVersion(versions, API.Metadata, [8, 7, 6, 5, 4, 3, 2, 1]);
      const parts = [int32(0)]; // empty topic list: brokers and controller only
      if (mv >= 4) parts.push(Buffer.from([0])); // allow_auto_topic_creation = false
      if (mv >= 8) parts.push(Buffer.from([0, 0])); // include cluster/topic authorized operations
      const md = await ask(API.Metadata, mv, Buffer.concat(parts), 'Metadata');
      if (mv >= 3) md.i32(); // throttle_time_ms
      result.brokers = md.array((r) => ({ nodeId: r.i32(), host: r.str(), port: r.i32(), rack: r.str() }));
      result.clusterId = mv >= 2 ? md.str() : null;
      result.controllerId = md.i32();
    }
    return result;
  } finally {
    socket.destroy();
  }
}

/** Parses `plaintext://host:port`, `sasl_ssl://user:pass@host:port`, ... into a probe target. */
export function parseTarget(spec, tlsFiles = {}) {
  // not WHATWG URL: it rejects '_' in schemes (sasl_plaintext://)
  const m = /^([a-z_]+):\/\/(?:([^:@/]*):([^@/]*)@)?([^:/]+):(\d+)\/?$/i.exec(spec);
  if (!m) throw new Error(`cannot parse listener ${spec} (expected scheme://[user:pass@]host:port)`);
  const [, rawScheme, user, pass, host, port] = m;
  const scheme = rawScheme.toLowerCase();
  if (!['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'].includes(scheme)) {
    throw new Error(`unknown listener scheme ${scheme} in ${spec}`);
  }
  const secure = scheme === 'ssl' || scheme === 'sasl_ssl';
  const sasl = scheme.startsWith('sasl_');
  if (sasl && user == null) throw new Error(`${spec}: SASL listeners need user:password@`);
  return {
    label: `${scheme}://${host}:${port}`,
    host,
    port: Number(port),
    tls: secure
      ? {
          ca: tlsFiles.ca,
          cert: scheme === 'ssl' ? tlsFiles.cert : undefined,
          key: scheme === 'ssl' ? tlsFiles.key : undefined,
        }
      : undefined,
    sasl: sasl ? { username: decodeURIComponent(user), password: decodeURIComponent(pass) } : undefined,
  };
}

/** Retries `probeKafka` until it passes (and lists `expectBrokers` brokers) or `waitMs` elapsed. */
export async function waitForKafka(target, { waitMs = 0, expectBrokers = 1 } = {}) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const r = await probeKafka(target);
      if (target.metadata !== false) {
        if (r.brokers.length < expectBrokers) {
          throw new Error(`metadata lists ${r.brokers.length} broker(s), expected ${expectBrokers}`);
        }
        if (!r.brokers.some((b) => b.port === target.port)) {
          throw new Error(
            `metadata does not advertise port ${target.port} (got ${r.brokers.map((b) => `${b.host}:${b.port}`).join(', ')})`,
          );
        }
        if (r.controllerId == null || r.controllerId < 0) throw new Error('no active controller yet');
      }
      return r;
    } catch (err) {
      if (Date.now() >= deadline)
        throw new Error(`${target.label ?? `${target.host}:${target.port}`}: ${err.message}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

async function main(argv) {
  let waitMs = 0;
  let expectBrokers = 1;
  let quiet = false;
  const files = {};
  const specs = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--wait') waitMs = Number(argv[++i]) * 1000;
    else if (a === '--expect-brokers') expectBrokers = Number(argv[++i]);
    else if (a === '--quiet') quiet = true;
    else if (a === '--ca') files.ca = argv[++i];
    else if (a === '--cert') files.cert = argv[++i];
    else if (a === '--key') files.key = argv[++i];
    else if (a.includes('://')) specs.push(a);
    else {
      console.error(`probe-kafka: unknown argument ${a}`);
      return 2;
    }
  }
  if (specs.length === 0) {
    console.error(
      'usage: probe-kafka.mjs [--wait S] [--expect-brokers N] [--ca F --cert F --key F] plaintext://HOST:PORT ...',
    );
    return 2;
  }
  let targets;
  try {
    targets = specs.map((s) => parseTarget(s, files));
  } catch (err) {
    console.error(`probe-kafka: ${err.message}`);
    return 2;
  }
  const results = await Promise.allSettled(targets.map((t) => waitForKafka(t, { waitMs, expectBrokers })));
  let failed = 0;
  results.forEach((r, i) => {
    const label = targets[i].label;
    if (r.status === 'fulfilled') {
      if (!quiet) {
        const brokers = r.value.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(' ');
        console.log(`${label} ok: brokers [${brokers}] controller ${r.value.controllerId}`);
      }
    } else {
      failed++;
      console.error(`probe-kafka: ${r.reason.message}`);
    }
  });
  return failed ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

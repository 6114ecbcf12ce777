import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type TLSSocket } from 'node:tls';
import { type BrokerError, ConnectionError, TlsError, toEndpointConfig } from '@broker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PikaEventBroker, PikaMessageSource } from '../../src/index';
import {
  type DatedServerCertificates,
  generateDatedServerCertificates,
  readPem,
  type ServerCertificate,
} from '../helpers/dated-server-certificates';
import { recordingLogger } from '../helpers/recording-logger';

// Our client must refuse a server certificate that is signed by a CA it trusts but is not valid
// now. The TLS handshake fails before any AMQP is spoken, so the "server" is a Node TLS server
// on 127.0.0.1 presenting a certificate made by openssl at test time (never committed); the same
// server with a currently valid certificate from the same CA is the control that proves the
// dates, and nothing else, make the handshake fail.

/** What the server saw: TCP connections, completed handshakes and the first bytes after them. */
interface Seen {
  connections: number;
  handshakes: number;
  clientErrors: string[];
  firstBytes: Buffer[];
}

interface FakeServer {
  port: number;
  seen: Seen;
  close(): Promise<void>;
}

/**
 * A TLS server presenting `certificate`. After a completed handshake it reads what the client
 * sends first (amqplib's AMQP protocol header) and hangs up, so the client fails with a plain
 * connection error, not a TLS one.
 */
async function tlsServer(certificate: ServerCertificate): Promise<FakeServer> {
  const seen: Seen = { connections: 0, handshakes: 0, clientErrors: [], firstBytes: [] };
  const sockets = new Set<TLSSocket>();
  const server = createServer({ cert: readPem(certificate.cert), key: readPem(certificate.key) });
  server.on('connection', () => {
    seen.connections++;
  });
  server.on('tlsClientError', (error: NodeJS.ErrnoException) => {
    seen.clientErrors.push(error.code ?? error.message);
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    seen.handshakes++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', (data: Buffer) => {
      seen.firstBytes.push(data);
      socket.destroy();
    });
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const AMQP_0_9_1_HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1');
const RETRY_DELAY_S = 1;

let certificates: DatedServerCertificates;
const servers: FakeServer[] = [];

beforeAll(() => {
  certificates = generateDatedServerCertificates();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  certificates?.remove();
});

async function serve(certificate: ServerCertificate): Promise<FakeServer> {
  const server = await tlsServer(certificate);
  servers.push(server);
  return server;
}

/** `amqps://127.0.0.1:<port>` trusting only the test CA; the certificates carry IP:127.0.0.1. */
function endpoint(port: number, values: Record<string, unknown> = {}) {
  return toEndpointConfig({
    url: `amqps://127.0.0.1:${port}`,
    username: 'guest',
    password: 'guest',
    queues: ['never-declared'],
    exchange_name: 'never-declared-x',
    ssl_cafile: certificates.caFile,
    // Retrying would show: 20 attempts one second apart, each a new TCP connection.
    connection_attempts: 20,
    retry_delay_in_seconds: RETRY_DELAY_S,
    ...values,
  });
}

async function brokerFailure(port: number, values: Record<string, unknown> = {}) {
  const logger = recordingLogger();
  const started = Date.now();
  const error = await PikaEventBroker.fromEndpointConfig(endpoint(port, values), { logger }).then(
    (broker) => {
      void broker.close();
      throw new Error('expected the connection to fail');
    },
    (caught: BrokerError) => caught,
  );
  return { error, elapsedMs: Date.now() - started, logger };
}

function expectRefusedCertificate(error: BrokerError, tlsCode: string, text: RegExp): void {
  expect(TlsError.isInstance(error), `expected a TlsError, got ${error}`).toBe(true);
  expect(error.code).toBe('BROKER_TLS');
  expect(error.canRetry).toBe(false);
  expect(error.details).toMatchObject({ tlsCode });
  expect(error.message).toMatch(text);
}

describe('the server certificate is signed by a trusted CA but is not valid now', () => {
  it('the certificates are what the test says (openssl x509 -dates)', () => {
    expect(certificates.expired.dates).toMatch(/notAfter=Jan {2}2 00:00:00 2020 GMT/);
    expect(certificates.notYetValid.dates).toMatch(/notBefore=Jan {2}1 00:00:00 2099 GMT/);
    const notAfter = /notAfter=(.*)/.exec(certificates.valid.dates)![1]!;
    expect(new Date(notAfter).getTime()).toBeGreaterThan(Date.now());
  });

  it('control: with a valid certificate from the same CA the TLS handshake completes and AMQP starts', async () => {
    const server = await serve(certificates.valid);
    const { error } = await brokerFailure(server.port, { connection_attempts: 1 });
    // The server hung up after the AMQP header: a retryable connection error, not a TLS one.
    expect(TlsError.isInstance(error), `expected no TlsError, got ${error}`).toBe(false);
    expect(ConnectionError.isInstance(error), `expected a ConnectionError, got ${error}`).toBe(true);
    expect(server.seen.handshakes).toBe(1);
    expect(server.seen.clientErrors).toEqual([]);
    expect(server.seen.firstBytes[0]?.subarray(0, 8)).toEqual(AMQP_0_9_1_HEADER);
  });

  it('PikaEventBroker refuses an expired server certificate at once: TlsError, one connection, no retries', async () => {
    const server = await serve(certificates.expired);
    const { error, elapsedMs, logger } = await brokerFailure(server.port);
    expectRefusedCertificate(
      error,
      'CERT_HAS_EXPIRED',
      /TLS certificate of RabbitMQ at amqps:\/\/(guest@)?127\.0\.0\.1:\d+ is not valid now \(CERT_HAS_EXPIRED: certificate has expired\)/,
    );
    expect(elapsedMs).toBeLessThan(RETRY_DELAY_S * 1000);
    // Longer than the retry delay: a retry in the background would have connected again by now.
    await sleep(RETRY_DELAY_S * 1000 + 500);
    expect(server.seen.connections).toBe(1);
    // The client hung up on the certificate and never spoke AMQP to that server.
    expect(server.seen.firstBytes).toEqual([]);
    expect(logger.warnings().filter((message) => /retrying/.test(message))).toEqual([]);
  });

  it('PikaEventBroker refuses a server certificate that is not valid yet the same way', async () => {
    const server = await serve(certificates.notYetValid);
    const { error, elapsedMs } = await brokerFailure(server.port);
    expectRefusedCertificate(error, 'CERT_NOT_YET_VALID', /is not valid now \(CERT_NOT_YET_VALID: /);
    expect(elapsedMs).toBeLessThan(RETRY_DELAY_S * 1000);
    expect(server.seen.connections).toBe(1);
    expect(server.seen.firstBytes).toEqual([]);
  });

  it('PikaMessageSource: consume ends with the TlsError at once instead of reconnecting', async () => {
    const server = await serve(certificates.expired);
    const logger = recordingLogger();
    const source = PikaMessageSource.fromEndpointConfig(endpoint(server.port), { logger });
    // If the error were retried, consume would keep reconnecting (100 ms backoff) until this abort.
    const controller = new AbortController();
    const guard = setTimeout(() => controller.abort(), 3000);
    const started = Date.now();
    try {
      const outcome = await source
        .consume(() => undefined, { maxInFlight: 1, signal: controller.signal })
        .then(
          () => undefined,
          (caught: BrokerError) => caught,
        );
      expect(
        outcome,
        `consume ended without an error after ${server.seen.connections} connections`,
      ).toBeDefined();
      expectRefusedCertificate(
        outcome!,
        'CERT_HAS_EXPIRED',
        /is not valid now \(CERT_HAS_EXPIRED: certificate has expired\)/,
      );
      expect(Date.now() - started).toBeLessThan(1000);
      expect(server.seen.connections).toBe(1);
      expect(server.seen.firstBytes).toEqual([]);
      expect(logger.warnings().filter((message) => /retrying/.test(message))).toEqual([]);
    } finally {
      clearTimeout(guard);
      await source.close();
    }
  });
});

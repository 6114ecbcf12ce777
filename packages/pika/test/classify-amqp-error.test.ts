import {
  AccessRefusedError,
  AuthenticationError,
  ConfigError,
  ConnectionError,
  TlsError,
} from '@broker/core';
import { describe, expect, it } from 'vitest';
import { classifyAmqpError } from '../src/connection/classify-amqp-error';

const context = {
  display: 'amqp://bob@rabbit:5672',
  topologyKey: 'event_broker.queues',
  tlsKeys: 'event_broker.ssl_cafile',
};
const withCode = (message: string, code: string | number) => Object.assign(new Error(message), { code });

// The messages are amqplib 2.x's formats (lib/connection.js, lib/channel.js, lib/format.js);
// the integration tests check the same mapping against a real RabbitMQ.
describe('classifyAmqpError', () => {
  it('wrong credentials: AuthenticationError, not retryable', () => {
    const error = classifyAmqpError(
      new Error(
        'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."',
      ),
      context,
    );
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error.canRetry).toBe(false);
    expect(error.message).toContain('amqp://bob@rabbit:5672');
  });

  it('vhost missing or not permitted (amqplib drops the reply text): AccessRefusedError naming vhost and user', () => {
    const refused = classifyAmqpError(
      new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>'),
      {
        ...context,
        vhost: 'bots',
        username: 'bob',
      },
    );
    expect(AccessRefusedError.isInstance(refused)).toBe(true);
    expect(refused.canRetry).toBe(false);
    expect(refused.message).toMatch(
      /refused to open the virtual host 'bots' for user 'bob'.*does not exist.*permissions/,
    );
    // After the connection is open, RabbitMQ's text is there to quote.
    const later = classifyAmqpError(
      withCode('Connection closed: 530 (NOT-ALLOWED) with message "NOT_ALLOWED - vhost bots not found"', 530),
      context,
    );
    expect(AccessRefusedError.isInstance(later)).toBe(true);
    expect(later.message).toMatch(/virtual host bots does not exist/);
  });

  it('access refused on a resource: AccessRefusedError', () => {
    const error = classifyAmqpError(
      withCode(
        "Channel closed by server: 403 (ACCESS-REFUSED) with message \"ACCESS_REFUSED - access to exchange 'x' in vhost '/' refused for user 'limited'\"",
        403,
      ),
      context,
    );
    expect(AccessRefusedError.isInstance(error)).toBe(true);
  });

  it('missing queue or mismatched declaration: ConfigError naming the setting', () => {
    const missing = classifyAmqpError(
      withCode(
        "Channel closed by server: 404 (NOT-FOUND) with message \"NOT_FOUND - no queue 'q' in vhost '/'\"",
        404,
      ),
      context,
    );
    expect(ConfigError.isInstance(missing)).toBe(true);
    expect((missing as ConfigError).key).toBe('event_broker.queues');
    const flags = classifyAmqpError(
      withCode(
        "Channel closed by server: 406 (PRECONDITION-FAILED) with message \"PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'rasa-exchange'\"",
        406,
      ),
      context,
    );
    expect(ConfigError.isInstance(flags)).toBe(true);
    expect(flags.message).toMatch(/cannot be redeclared/);
  });

  it('broker shutdown, refused, reset, timeouts: retryable ConnectionError', () => {
    for (const error of [
      withCode(
        'Connection closed: 320 (CONNECTION-FORCED) with message "CONNECTION_FORCED - broker forced connection closure with reason \'shutdown\'"',
        320,
      ),
      withCode('connect ECONNREFUSED 127.0.0.1:5673', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      new Error('connect ETIMEDOUT'),
      new Error('Heartbeat timeout'),
      new Error('Socket closed abruptly during opening handshake'),
    ]) {
      const classified = classifyAmqpError(error, context);
      expect(ConnectionError.isInstance(classified), error.message).toBe(true);
      expect(classified.canRetry).toBe(true);
      // The cause is a cleaned copy of amqplib's error (@broker/core keeps no secret in causes).
      expect(classified.cause).toMatchObject({ message: error.message.split('\n')[0] });
    }
  });

  it('certificate problems: TlsError saying what to fix', () => {
    const cases: [string, RegExp][] = [
      ['ERR_TLS_CERT_ALTNAME_INVALID', /not valid for that host name.*ssl_servername/],
      ['SELF_SIGNED_CERT_IN_CHAIN', /not signed by a trusted CA.*ssl_cafile/],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /not signed by a trusted CA/],
      ['CERT_HAS_EXPIRED', /not valid now/],
      ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', /rejected our client certificate because it has expired/],
      ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', /requires a client certificate signed by a CA it trusts/],
      ['ERR_SSL_WRONG_VERSION_NUMBER', /does not answer TLS/],
    ];
    for (const [code, message] of cases) {
      const error = classifyAmqpError(withCode(`tls failure ${code}`, code), context);
      expect(TlsError.isInstance(error), code).toBe(true);
      expect(error.canRetry).toBe(false);
      expect(error.message).toMatch(message);
    }
  });

  it('an unresolvable host name is retryable but says what to check', () => {
    const error = classifyAmqpError(withCode('getaddrinfo ENOTFOUND rabit', 'ENOTFOUND'), context);
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/check the host name/);
  });
});

import type { Mechanism } from 'kafkajs';
import type { OAuthBearerProvider } from '../settings/connection-options';

const SOH = '\u0001';

/**
 * Shaped like kafkajs's own SASL error (which its ESM entry does not export): the name our
 * error mapping recognises, and `retriable: false` so kafkajs does not retry it.
 */
class SaslAuthenticationError extends Error {
  override readonly name = 'KafkaJSSASLAuthenticationError';
  readonly retriable = false;
}

/** SASL bytes as the SaslAuthenticate request carries them: a 32-bit length, then the payload. */
function sizePrefixed(payload: Buffer): Buffer {
  const out = Buffer.alloc(4 + payload.length);
  out.writeInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}

/** The server's answer without its 32-bit length prefix. */
function unprefixed(bytes: Buffer | null | undefined): string {
  if (!bytes || bytes.length === 0) return '';
  const length = bytes.length >= 4 ? bytes.readInt32BE(0) : -1;
  return (length === bytes.length - 4 ? bytes.subarray(4) : bytes).toString('utf8');
}

/**
 * SASL OAUTHBEARER (RFC 7628) for kafkajs. Its built-in version ignores the broker's answer, so
 * a rejected token (the broker answers `{"status":"invalid_token"}` and closes the connection)
 * looks like a network failure retried forever. This one reads the answer and fails with an
 * authentication error naming the status.
 */
export function oauthBearerMechanism(provider: OAuthBearerProvider): Mechanism {
  return {
    mechanism: 'OAUTHBEARER',
    authenticationProvider: ({ saslAuthenticate }) => ({
      authenticate: async () => {
        const token = await provider();
        if (!token || typeof token.value !== 'string' || token.value === '') {
          throw new SaslAuthenticationError('SASL OAUTHBEARER: the token provider returned no token');
        }
        const message = Buffer.from(`n,,${SOH}auth=Bearer ${token.value}${SOH}${SOH}`, 'utf8');
        await saslAuthenticate<void>({
          request: { encode: async () => sizePrefixed(message) },
          response: {
            decode: async (bytes: Buffer) => bytes,
            parse: async (bytes: Buffer) => {
              const answer = unprefixed(bytes);
              if (answer === '') return;
              let status = answer;
              try {
                status = (JSON.parse(answer) as { status?: string }).status ?? answer;
              } catch {
                // not JSON: report it as it came
              }
              throw new SaslAuthenticationError(
                `SASL OAUTHBEARER authentication failed: the broker rejected the token (${status})`,
              );
            },
          },
        });
      },
    }),
  };
}

import { type ChannelModel, connect, type SocketOptions } from 'amqplib';
import { classifyAmqpError } from './classify-amqp-error';
import type { ConnectionSettings } from './connection-settings';

/**
 * Opens one AMQP connection (TCP or TLS, then the AMQP handshake) within the connection
 * timeout. Failures come back as typed errors (see classifyAmqpError). The caller owns the
 * connection and must listen for its `error` and `close` events.
 */
export async function openConnection(settings: ConnectionSettings): Promise<ChannelModel> {
  const { endpoint, tls } = settings;
  const socketOptions: SocketOptions = {
    timeout: settings.connectionTimeoutMs,
    noDelay: false,
    keepAlive: true,
    clientProperties: { connection_name: settings.connectionName },
  };
  if (tls) {
    Object.assign(socketOptions, {
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
      ...(tls.servername ? { servername: tls.servername } : {}),
      ...(tls.checkHostname ? {} : { checkServerIdentity: () => undefined }),
    });
  }
  try {
    return await connect(
      {
        protocol: endpoint.tls ? 'amqps' : 'amqp',
        hostname: endpoint.hostname,
        port: endpoint.port,
        username: endpoint.username,
        password: endpoint.password,
        // amqplib unescapes the vhost; escape it so names with % or / arrive intact.
        vhost: encodeURIComponent(endpoint.vhost),
        heartbeat: settings.heartbeatSeconds,
        ...(settings.frameMax === undefined ? {} : { frameMax: settings.frameMax }),
        ...(settings.channelMax === undefined ? {} : { channelMax: settings.channelMax }),
      },
      socketOptions,
    );
  } catch (error) {
    throw classifyAmqpError(error, {
      display: endpoint.display,
      vhost: endpoint.vhost,
      username: endpoint.username,
      ...(tls ? { tlsKeys: Object.values(tls.origins).join(', ') || undefined } : {}),
    });
  }
}

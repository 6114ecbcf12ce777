import type { ChannelModel } from 'amqplib';

const CLOSE_WAIT_MS = 2000;

/**
 * Closes a connection without hanging on an unresponsive broker: the AMQP close handshake gets
 * `waitMs`, then the socket is destroyed (amqplib would otherwise wait for a close-ok that a
 * dead peer never sends, keeping the socket and the process alive). Errors are irrelevant here.
 */
export async function closeConnection(connection: ChannelModel, waitMs = CLOSE_WAIT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    connection.close().then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), waitMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  if (!closed) {
    // amqplib's ChannelModel keeps its Connection, and that its socket, in `stream`.
    const socket = (connection as unknown as { connection?: { stream?: { destroy?: () => void } } })
      .connection?.stream;
    socket?.destroy?.();
  }
}

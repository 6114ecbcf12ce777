import type { ChannelModel } from 'amqplib';

const CLOSE_WAIT_MS = 2000;

interface Closable {
  close(): Promise<void>;
}

/**
 * Closes a connection without hanging on an unresponsive broker. `channelsFirst` are closed
 * before the connection: amqplib drops frames still queued on a channel (acks, notably) when
 * the connection closes, while a channel close is answered by RabbitMQ only after everything
 * sent before it on that channel was processed. Each handshake gets `waitMs`; after that the
 * socket is destroyed (amqplib would otherwise wait for a close-ok that a dead peer never
 * sends, keeping the socket and the process alive). Errors are irrelevant here.
 */
export async function closeConnection(
  connection: ChannelModel,
  options: { channelsFirst?: readonly Closable[]; waitMs?: number } = {},
): Promise<void> {
  const waitMs = options.waitMs ?? CLOSE_WAIT_MS;
  const channels = options.channelsFirst ?? [];
  if (channels.length > 0) {
    await withinTime(Promise.allSettled(channels.map((channel) => channel.close())), waitMs);
  }
  const closed = await withinTime(connection.close(), waitMs);
  if (!closed) {
    // amqplib's ChannelModel keeps its Connection, and that its socket, in `stream`.
    const socket = (connection as unknown as { connection?: { stream?: { destroy?: () => void } } })
      .connection?.stream;
    socket?.destroy?.();
  }
}

/** True when `work` settled (either way) within `waitMs`. */
async function withinTime(work: Promise<unknown>, waitMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), waitMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

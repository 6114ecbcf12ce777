// Types for services/tcp-proxy.mjs.

/** How the proxy treats traffic: forward at once, hold everything (a cut link), or forward after a delay. */
export type LinkMode = { kind: 'open' } | { kind: 'cut' } | { kind: 'slow'; delayMs: number };

/**
 * A TCP proxy in front of a broker that a test controls, to cut, slow down or reset the link
 * without touching the broker.
 */
export declare class TcpProxy {
  private constructor();
  /** The local port clients connect to (127.0.0.1). */
  readonly port: number;
  /** Listens on `listenPort` (default: any free port); the same port again restarts a closed proxy. */
  static start(targetHost: string, targetPort: number, listenPort?: number): Promise<TcpProxy>;
  /** Bytes held and not yet forwarded, in both directions of every connection. */
  readonly heldBytes: number;
  /** Holds all traffic both ways, new connections too; closes nothing (a dead link, as both ends see it). */
  cut(): void;
  /** Forwards every chunk `delayMs` after it arrived, in order. */
  slow(delayMs: number): void;
  /** Forwards at once again, held data first. */
  resume(): void;
  /** Drops every connection (held data discarded) and forwards new ones at once. */
  reset(): void;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

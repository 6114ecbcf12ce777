import {
  AccessRefusedError,
  AuthenticationError,
  BrokerError,
  ConfigError,
  ConnectionError,
  EventValidationError,
  MissingDependencyError,
  TlsError,
} from '@broker/core';

/** What `broker` exits with; documented in the README and `broker --help`. */
export const EXIT = {
  /** Done. `consume` also exits 0 after a graceful stop (SIGINT, SIGTERM, --max-events). */
  ok: 0,
  /** A runtime failure: events not confirmed by the broker, the consumer's source failed, an export stopped part-way (the resume command is printed). */
  failure: 1,
  /** Bad usage or configuration: unknown option, bad value, unreadable or invalid endpoints file, invalid input events. */
  usage: 2,
  /** A package is missing: the adapter (@broker/pika, @broker/kafka) or pg. */
  missingPackage: 3,
  /**
   * Cannot connect: broker or database unreachable, credentials rejected, TLS failure; `consume`:
   * the sink stayed unavailable longer than `--max-outage`, or the command was stopped during an
   * outage (the events not stored are left with the broker).
   */
  connection: 4,
  /** Interrupted: `publish` or `export` stopped before the end, or a command made to exit at once by a second signal (143 if that was SIGTERM). */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0    done (consume: also after a graceful stop by SIGINT, SIGTERM or --max-events)
  1    runtime failure (events not confirmed, the source failed, an export stopped part-way)
  2    usage or configuration error (bad option, bad endpoints file, invalid input)
  3    a package is missing (@broker/pika, @broker/kafka, pg)
  4    cannot connect (broker or database unreachable, credentials rejected, TLS);
       consume: the sink was unavailable past --max-outage, or when stopped
       (the events not stored stay with the broker)
  130  interrupted: publish or export stopped before the end, or a second Ctrl-C
       more than 1 s after the first made a command exit at once (143: SIGTERM)`;

export function exitCodeFor(error: unknown): number {
  if (MissingDependencyError.isInstance(error)) return EXIT.missingPackage;
  if (
    ConnectionError.isInstance(error) ||
    AuthenticationError.isInstance(error) ||
    AccessRefusedError.isInstance(error) ||
    TlsError.isInstance(error)
  )
    return EXIT.connection;
  if (ConfigError.isInstance(error) || EventValidationError.isInstance(error)) return EXIT.usage;
  if (error instanceof UsageError) return EXIT.usage;
  if (BrokerError.isInstance(error)) return EXIT.failure;
  return EXIT.failure;
}

/**
 * The exit code of a publish or export that left events unconfirmed: 4 when nothing got through
 * and the broker's last error says it cannot be reached or refuses us, else 1.
 */
export function deliveryFailureExitCode(confirmed: number, lastError: unknown): number {
  return confirmed === 0 && exitCodeFor(lastError) === EXIT.connection ? EXIT.connection : EXIT.failure;
}

/** A command-line mistake (bad option value, conflicting options). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

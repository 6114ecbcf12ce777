import type { Logger } from '@broker/core';
import { recordMessagingDurations } from '@broker/core/opentelemetry';
import type { Meter } from '@opentelemetry/api';
import { type Command, Option } from 'commander';
import { UsageError } from './exit-codes';
import { type ReadinessCheck, startMetricsServer } from './metrics-server';
import { wholeNumber } from './option-parsers';

export interface MetricsCommandOptions {
  metricsPort?: number;
  metricsHost?: string;
}

export interface CommandMetrics {
  /** Where the instruments of the command go. */
  meter: Meter;
  /** Stops serving: the last scrape is over. */
  close(): Promise<void>;
}

const DEFAULT_METRICS_HOST = '127.0.0.1';

/** `--metrics-port` and `--metrics-host` of `consume` and `export`. */
export function addMetricsOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--metrics-port <port>',
        'serve /metrics (Prometheus), /healthz and /readyz over HTTP on this port (0: any free port, printed)',
      ).argParser(wholeNumber('--metrics-port', 0, 65_535)),
    )
    .option(
      '--metrics-host <address>',
      `address for --metrics-port to listen on (default ${DEFAULT_METRICS_HOST})`,
    );
}

/**
 * With `--metrics-port`, an OpenTelemetry meter whose instruments `/metrics` serves in the
 * Prometheus text format (OpenTelemetry's Prometheus exporter as a pull reader: the instruments
 * are the same ones an application reports through its own SDK), plus `/healthz` and `/readyz`.
 * The confirm and processing durations come from the tracing channels, subscribed to only then.
 * Without it, undefined: nothing is loaded.
 */
export async function startCommandMetrics(
  options: MetricsCommandOptions,
  readiness: () => ReadinessCheck[],
  logger: Logger,
): Promise<CommandMetrics | undefined> {
  if (options.metricsPort === undefined) {
    if (options.metricsHost !== undefined) {
      throw new UsageError('--metrics-host needs --metrics-port <port> (the port to serve /metrics on).');
    }
    return undefined;
  }
  const host = options.metricsHost?.trim() || DEFAULT_METRICS_HOST;
  const [{ MeterProvider }, { PrometheusExporter }] = await Promise.all([
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/exporter-prometheus'),
  ]);
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const server = await startMetricsServer({
    host,
    port: options.metricsPort,
    metrics: (request, response) => exporter.getMetricsRequestHandler(request, response),
    readiness,
  }).catch(async (error: unknown) => {
    await provider.shutdown();
    throw error;
  });
  logger.info(`serving metrics on http://${server.address}/metrics (and /healthz, /readyz)`);
  const meter = provider.getMeter('@broker/consumers');
  const durations = recordMessagingDurations(meter);
  return {
    meter,
    close: async () => {
      durations.dispose();
      await server.close();
      await provider.shutdown();
    },
  };
}

import { type Logger, redactConfig } from '@broker/core';
import { type LogEntry, logLevel } from 'kafkajs';
import type { ClientLogLevel } from '../settings/connection-options';
import { LEADERS_SPLIT } from './kafkajs-producer-client';

const LEVELS: Record<ClientLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/**
 * kafkajs's warning for a bounded retry count (our send loop retries the same batch on the same
 * producer for as long as it takes), and its error line for a send our partitioner stops
 * because its records have several leaders (the producer client sends them per leader then).
 */
const EXPECTED_WARNINGS = [/Limiting retries for the idempotent producer/, new RegExp(LEADERS_SPLIT)];

export function toKafkajsLogLevel(level: ClientLogLevel): logLevel {
  return LEVELS[level];
}

/**
 * Routes kafkajs's log lines into our logger, tagged `kafkajs: <namespace>`. kafkajs reports
 * every failed attempt it retries as an error; we report at error level only what we give up
 * on, so its errors arrive as warnings. `observe` sees every line kafkajs produces, also those
 * below the configured level (kafkajs produces them once its level is raised at run time), and
 * may throw into kafkajs.
 */
export function kafkajsLogCreator(
  logger: Logger,
  observe?: (message: string) => void,
): (configured: logLevel) => (entry: LogEntry) => void {
  return (configured) =>
    ({ namespace, level, log }) => {
      observe?.(log.message);
      if (level > configured) return;
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      const context = { kafkajs: namespace, ...redactConfig(extra) };
      if (level === logLevel.DEBUG || EXPECTED_WARNINGS.some((pattern) => pattern.test(message))) {
        logger.debug(context, message);
      } else if (level === logLevel.INFO) {
        logger.info(context, message);
      } else {
        logger.warn(context, message);
      }
    };
}

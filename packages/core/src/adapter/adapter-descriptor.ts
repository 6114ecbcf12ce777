import type { EventBroker } from '../broker/event-broker';
import type { SettingsTable } from '../config/declared-settings';
import type { EndpointConfig } from '../config/endpoint-config';
import type { MessageSourceOptions } from '../consumer/create-message-source';
import type { MessageSource } from '../consumer/message-source';
import type { Logger } from '../logging/logger';

/** The version of the adapter contract this core speaks. An adapter built for another one is refused. */
export const ADAPTER_SPECIFICATION_VERSION = 1;

/** What core hands an adapter besides the endpoints section. */
export interface AdapterDeps {
  logger: Logger;
}

/**
 * How an adapter package plugs into core: one object, exported as `adapter`, that core finds by
 * the `type` of an endpoints section and builds from. Each member is optional: a package offers
 * the roles it has (publishing, consuming; tracker stores next).
 */
export interface AdapterDescriptor {
  /** {@link ADAPTER_SPECIFICATION_VERSION} of the core it was built for. */
  readonly specificationVersion: typeof ADAPTER_SPECIFICATION_VERSION;
  /** The `type` it serves in endpoints.yml, lower case (`pika`, `kafka`). */
  readonly type: string;
  /** The package it ships in, for messages (`@broker/pika`). */
  readonly packageName: string;
  /** The settings its endpoints section takes: their keys, types, defaults and meaning (the README's option table). */
  readonly settings?: SettingsTable;
  /** Builds the broker an `event_broker` section describes. */
  createBroker?(config: EndpointConfig, deps: AdapterDeps): EventBroker | Promise<EventBroker>;
  /** Builds a message source that reads what that broker publishes. */
  createSource?(
    config: EndpointConfig,
    options: MessageSourceOptions & AdapterDeps,
  ): MessageSource | Promise<MessageSource>;
}

/** Declares an adapter: checks its shape once, so a mistake shows where the adapter is written. */
export function defineAdapter<T extends AdapterDescriptor>(descriptor: T): T {
  if (!isAdapterDescriptor(descriptor)) {
    throw new TypeError(
      `defineAdapter: ${JSON.stringify((descriptor as { type?: unknown })?.type)} needs specificationVersion ${ADAPTER_SPECIFICATION_VERSION}, a type, a packageName and createBroker or createSource functions`,
    );
  }
  return descriptor;
}

/** A value shaped like a descriptor of this contract version. */
export function isAdapterDescriptor(value: unknown): value is AdapterDescriptor {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof AdapterDescriptor, unknown>>;
  const roles = [candidate.createBroker, candidate.createSource];
  return (
    candidate.specificationVersion === ADAPTER_SPECIFICATION_VERSION &&
    typeof candidate.type === 'string' &&
    typeof candidate.packageName === 'string' &&
    roles.every((role) => role === undefined || typeof role === 'function') &&
    roles.some((role) => role !== undefined)
  );
}

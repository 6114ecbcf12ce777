import { ConfigError } from '../errors/errors';
import { describeValue, isPlainObject } from '../events/field-checks';

/**
 * One section of `endpoints.yml` (e.g. `event_broker`) split the way Rasa's `EndpointConfig`
 * splits it: `url` and `type` apart, Rasa's own named parameters consumed (they never reach a
 * broker), everything else passed to the broker as keyword arguments.
 */
export interface EndpointConfig {
  /** The section name, e.g. `event_broker`; used in error messages. */
  section: string;
  /** `store_type` (wins, as in Rasa) or `type`, as written. */
  type: string | undefined;
  /** `url` as written: a string, a list of `host:port`, or absent. */
  url: unknown;
  /** Every other key, passed to the broker's `fromEndpointConfig`. */
  kwargs: Record<string, unknown>;
  /** Keys Rasa's EndpointConfig consumes itself (`params`, `headers`, `basic_auth`, `token`, `token_name`, `cafile`). */
  consumed: Record<string, unknown>;
  /** The endpoints file this came from, when it came from one. */
  file: string | undefined;
}

/** Rasa's `EndpointConfig.__init__` named parameters: they never reach a broker. */
export const CONSUMED_KEYS: readonly string[] = [
  'params',
  'headers',
  'basic_auth',
  'token',
  'token_name',
  'cafile',
];

/** Splits a raw mapping (from YAML or code) into an EndpointConfig. */
export function toEndpointConfig(
  mapping: Record<string, unknown>,
  section = 'event_broker',
  file?: string,
): EndpointConfig {
  const { url, type, store_type: storeType, ...rest } = mapping;
  const kwargs: Record<string, unknown> = {};
  const consumed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (CONSUMED_KEYS.includes(key)) consumed[key] = value;
    else kwargs[key] = value;
  }
  const chosen = storeType ?? type;
  return {
    section,
    type: chosen === undefined || chosen === null ? undefined : String(chosen),
    url,
    kwargs,
    consumed,
    file,
  };
}

/** The fields of an EndpointConfig object. */
const ENDPOINT_CONFIG_FIELDS: readonly string[] = ['section', 'type', 'url', 'kwargs', 'consumed', 'file'];

/**
 * What every `fromEndpointConfig` and `create...` function is given, in either shape: an
 * EndpointConfig (from `loadEndpoints` or `toEndpointConfig`; it has `kwargs`), or a section as
 * written in endpoints.yml (`{ type, url, queues, ... }`), which is split as `toEndpointConfig`
 * splits it. Reading only `url` and `kwargs` of a flat section would drop every other key
 * silently, so a value that mixes the shapes is a ConfigError.
 */
export function asEndpointConfig(
  config: EndpointConfig | Record<string, unknown>,
  section = 'event_broker',
): EndpointConfig {
  if (!isPlainObject(config)) {
    throw new ConfigError(
      `The ${section} settings must be an object (an endpoints.yml section or an EndpointConfig), got ${describeValue(config)}.`,
      { key: section },
    );
  }
  if (!('kwargs' in config)) return toEndpointConfig(config, section);
  const given = config as Partial<EndpointConfig> & Record<string, unknown>;
  const name = typeof given.section === 'string' ? given.section : section;
  const stray = Object.keys(config).filter((key) => !ENDPOINT_CONFIG_FIELDS.includes(key));
  if (
    stray.length > 0 ||
    !isPlainObject(given.kwargs) ||
    (given.consumed !== undefined && !isPlainObject(given.consumed))
  ) {
    throw new ConfigError(
      `The ${name} settings mix the two shapes ${name} accepts: ${
        stray.length > 0
          ? `${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} not ${stray.length === 1 ? 'a field' : 'fields'} of an EndpointConfig`
          : 'kwargs and consumed must be objects'
      }. Pass either the section as written in endpoints.yml ({ type, url, queues, ... }) or an EndpointConfig ` +
        '(from loadEndpoints() or toEndpointConfig()) with every setting other than type and url in kwargs.',
      { key: name, file: typeof given.file === 'string' ? given.file : undefined },
    );
  }
  return {
    section: name,
    type: given.type === undefined || given.type === null ? undefined : String(given.type),
    url: given.url,
    kwargs: given.kwargs,
    consumed: given.consumed ?? {},
    file: typeof given.file === 'string' ? given.file : undefined,
  };
}

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

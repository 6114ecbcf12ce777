/**
 * The global brand every BrokerError carries. `instanceof` breaks when a process loads both the
 * ESM and the CJS build (or two copies of the package); a registered symbol does not.
 */
export const BRAND = Symbol.for('@broker/core.BrokerError');

/** True for a BrokerError from any copy of @broker/core. */
export function isBranded(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

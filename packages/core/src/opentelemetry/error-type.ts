import { OTHER_ERROR_TYPE } from './metric-names';

/** `error.type`: a low-cardinality class of the error, a BrokerError's code, else the error's name. */
export function errorType(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return OTHER_ERROR_TYPE;
}

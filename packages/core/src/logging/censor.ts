const SECRET_KEY = /pass(word)?|secret|token|credential|private|^key$|_key$|Key$/i;

/**
 * A URL safe to print: the password (and any secret-looking query parameter) becomes `***`.
 * Strings that are not URLs (a bare host name) are returned unchanged.
 */
export function censorUrl(value: string): string {
  if (!value.includes('://')) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Unparseable: hide everything between `://` and `@`, which is where credentials live.
    return value.replace(/:\/\/[^@/]*@/, '://***@');
  }
  if (url.password) url.password = '***';
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_KEY.test(key)) url.searchParams.set(key, '***');
  }
  return url.toString();
}

/** A shallow copy of a config object with secret-looking values replaced by `***` and URLs censored. */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined && value !== null && SECRET_KEY.test(key)) out[key] = '***';
    else if (typeof value === 'string') out[key] = censorUrl(value);
    else out[key] = value;
  }
  return out;
}

const SECRET_KEY = /pass(word)?|secret|token|credential|private|^key$|_key$|Key$/i;

/** `user:password@` in a URL (`amqp://user:password@host`) or on its own (`user:password@host`). */
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)?([^\s:/@"'`[\]<>]+):([^\s/@"'`<>]+)@/gi;
/** A query parameter of a URL inside a text: `?token=...`, `&password=...`. */
const QUERY_PARAMETER = /([?&])([^\s=&#"'`<>]+)=([^\s&#"'`<>]*)/g;

/** Whether a setting or field of this name holds a secret (`password`, `sasl_password`, `token`, `ssl_key_password`...). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

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

/**
 * Free text (an error message) with the credentials of every URL in it hidden: the password of
 * `scheme://user:password@` and of a scheme-less `user:password@host`, and the values of
 * secret-looking query parameters.
 */
export function censorText(text: string): string {
  if (!text.includes('@') && !text.includes('=')) return text;
  return text
    .replace(USERINFO, (_, scheme: string | undefined, user: string) => `${scheme ?? ''}${user}:***@`)
    .replace(QUERY_PARAMETER, (match, separator: string, name: string) =>
      SECRET_KEY.test(name) ? `${separator}${name}=***` : match,
    );
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

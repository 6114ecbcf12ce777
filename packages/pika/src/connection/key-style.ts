/**
 * Settings come from endpoints.yml (Rasa's snake_case keys) or from code (camelCase options).
 * One reader serves both; errors name the key the user actually wrote.
 */
export type KeyStyle = 'yaml' | 'code';

/** The name of a setting in the given style: `ssl_cafile` ↔ `sslCafile`, `url` ↔ `host`. */
export function settingKey(yamlKey: string, style: KeyStyle): string {
  if (style === 'yaml') return yamlKey;
  if (yamlKey === 'url') return 'host';
  return yamlKey.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

import { describe, expect, expectTypeOf, it } from 'vitest';
import { keyIn } from '../src/config/declared-settings';
import { ConfigError, defineSettings, type Logger, SettingsReader, toEndpointConfig } from '../src/index';

const TABLE = defineSettings({
  url: { yaml: 'url', code: 'host', type: 'string', nonEmpty: true, description: 'where' },
  exchangeName: { yaml: 'exchange_name', type: 'string', default: 'rasa-exchange', description: 'x' },
  saslUsername: {
    yaml: 'sasl_username',
    aliases: { yaml: ['sasl_plain_username'], code: ['sasl_plain_username'] },
    type: 'string',
    description: 'user',
  },
  token: { yaml: 'token', type: 'string', secret: true, description: 'a secret its name does not show' },
  port: { yaml: 'port', type: 'integer', min: 1, max: 65535, description: 'port' },
  lingerMs: { yaml: 'linger_ms', type: 'integer', default: 5, min: 0, max: 60_000, description: 'linger' },
  startup: {
    yaml: 'startup',
    type: 'choice',
    choices: ['wait', 'buffer'],
    default: 'wait',
    description: 's',
  },
  passive: { yaml: 'passive_queues', type: 'boolean', default: false, description: 'p' },
  queues: { yaml: 'queues', type: 'list', description: 'q' },
  closeTimeoutMs: { yaml: null, type: 'integer', min: 0, description: 'code only' },
});

const FILE = '/etc/rasa/endpoints.yml';

function yaml(mapping: Record<string, unknown>, logger?: Logger) {
  return SettingsReader.ofSection(
    TABLE,
    toEndpointConfig({ type: 'x', ...mapping }, 'event_broker', FILE),
    logger,
  );
}

function code(options: Record<string, unknown>, logger?: Logger) {
  return SettingsReader.ofOptions(TABLE, options, 'XBroker options', logger);
}

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(ConfigError.isInstance(error), String(error)).toBe(true);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

function warnings() {
  const lines: string[] = [];
  const logger = {
    warn: (_context: unknown, message: string) => lines.push(message),
    info: () => undefined,
    debug: () => undefined,
    error: () => undefined,
    trace: () => undefined,
    fatal: () => undefined,
    child: () => logger,
  } as unknown as Logger;
  return { logger, lines };
}

describe('SettingsReader', () => {
  it('reads the YAML key from a section and the code key from options, with the same rules', () => {
    expect(yaml({ url: 'rabbit', exchange_name: 'ex', linger_ms: '7' }).get('lingerMs')).toBe(7);
    expect(yaml({ url: 'rabbit', exchange_name: 'ex' }).get('exchangeName')).toBe('ex');
    expect(code({ host: 'rabbit', exchangeName: 'ex' }).get('url')).toBe('rabbit');
    expect(code({ host: 'rabbit', exchangeName: 'ex' }).get('exchangeName')).toBe('ex');
  });

  it('applies defaults and types the values by the table', () => {
    const reader = code({ host: 'rabbit' });
    const linger = reader.get('lingerMs');
    const startup = reader.get('startup');
    const port = reader.get('port');
    expect([linger, startup, port, reader.get('passive')]).toEqual([5, 'wait', undefined, false]);
    expectTypeOf(linger).toEqualTypeOf<number>();
    expectTypeOf(startup).toEqualTypeOf<'wait' | 'buffer'>();
    expectTypeOf(port).toEqualTypeOf<number | undefined>();
    expectTypeOf(reader.get('queues')).toEqualTypeOf<string[] | undefined>();
  });

  it('names the key as written: the YAML key with its file, the option, or the alias used', () => {
    const fromYaml = errorOf(() => yaml({ port: 'amqp' }).get('port'));
    expect(fromYaml.message).toBe(
      `event_broker.port (in ${FILE}): expected an integer between 1 and 65535, got the string "amqp".`,
    );
    expect(fromYaml.key).toBe('event_broker.port');
    expect(fromYaml.file).toBe(FILE);
    expect(errorOf(() => code({ lingerMs: -1 }).get('lingerMs')).message).toBe(
      'XBroker options.lingerMs: expected a number between 0 and 60000, got -1.',
    );
    const alias = code({ sasl_plain_username: 7 });
    expect(alias.keyName('saslUsername')).toBe('XBroker options.sasl_plain_username');
    expect(alias.error('saslUsername', 'is wrong.').message).toBe(
      'XBroker options.sasl_plain_username: is wrong.',
    );
  });

  it('refuses one setting given under two of its names, naming both', () => {
    const error = errorOf(() => yaml({ sasl_username: 'a', sasl_plain_username: 'b' }).get('saslUsername'));
    expect(error.message).toBe(
      `event_broker.sasl_username (in ${FILE}): is also given as event_broker.sasl_plain_username, another spelling of the same setting; give only one.`,
    );
  });

  it('checks choices case-insensitively and names the allowed values', () => {
    expect(code({ startup: 'BUFFER' }).get('startup')).toBe('buffer');
    expect(errorOf(() => code({ startup: 'later' }).get('startup')).message).toBe(
      'XBroker options.startup: must be one of wait, buffer; got "later".',
    );
  });

  it('never shows the value of a setting the table declares secret', () => {
    const reader = SettingsReader.ofOptions(TABLE, { token: 'Tr0ub4dor' }, 'o');
    const error = errorOf(() => reader.config.integer('token'));
    expect(error.message).toBe(
      'o.token: expected an integer, got a string (not shown: o.token holds a secret).',
    );
  });

  it('has no YAML key for a code-only option: in YAML it is an unknown key', () => {
    const { logger, lines } = warnings();
    const reader = yaml({ url: 'rabbit', closeTimeoutMs: 5 }, logger);
    expect(reader.get('closeTimeoutMs')).toBeUndefined();
    reader.get('url');
    expect(reader.warnUnknown('The x broker')).toEqual(['closeTimeoutMs']);
    expect(lines.join('\n')).toContain('event_broker.closeTimeoutMs');
    expect(keyIn(TABLE.closeTimeoutMs, 'code')).toBe('closeTimeoutMs');
    expect(keyIn(TABLE.closeTimeoutMs, 'yaml')).toBeUndefined();
  });

  it('warns about keys given but never read, and accept() marks settings known without using them', () => {
    const { logger, lines } = warnings();
    const reader = code({ host: 'h', exchangName: 'typo', queues: ['a'] }, logger);
    reader.get('url');
    reader.accept(['queues']);
    expect(reader.warnUnknown('XBroker')).toEqual(['exchangName']);
    expect(lines).toEqual([
      'XBroker ignores unknown setting(s) XBroker options.exchangName; check the spelling',
    ]);
  });

  it('warnIgnored names the settings given for another mode, as written', () => {
    const { logger, lines } = warnings();
    const reader = code({ sasl_plain_username: 'u', port: 1 }, logger);
    reader.warnIgnored(['saslUsername', 'token'], 'PLAINTEXT does not authenticate');
    expect(lines).toEqual(['XBroker options.sasl_plain_username ignored: PLAINTEXT does not authenticate']);
  });

  it('required() names the key and the fix when a setting is missing', () => {
    expect(code({ host: 'rabbit' }).required('url', 'the host name.')).toBe('rabbit');
    expect(errorOf(() => yaml({ port: 1 }).required('url', 'the RabbitMQ host name.')).message).toBe(
      `event_broker.url (in ${FILE}): is required: the RabbitMQ host name.`,
    );
  });

  it('refuses a table row without keys or a choice without choices', () => {
    expect(() => defineSettings({ a: { yaml: null, code: null, type: 'string', description: '' } })).toThrow(
      /setting a has no key/,
    );
    expect(() => defineSettings({ a: { yaml: 'a', type: 'choice', description: '' } })).toThrow(
      /setting a has no choices/,
    );
  });
});

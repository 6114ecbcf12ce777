import {
  AuthenticationError,
  BrokerClosedError,
  BrokerError,
  ConfigError,
  ConnectionError,
  EventValidationError,
  MessageTooLargeError,
  TimeoutError,
} from '@broker/core';
import { describe, expect, it } from 'vitest';
import { failureKind } from '../src/consumer/failure-kind';
import { SinkError } from '../src/sinks/sink-error';

describe('failureKind', () => {
  it.each([
    ['ConnectionError', new ConnectionError('CRM unreachable')],
    ['TimeoutError', new TimeoutError('no answer in 5 s', 1)],
    ['a SinkError with canRetry', new SinkError('postgres', 'connection reset', { canRetry: true })],
    ['a BrokerError with canRetry', new BrokerError('BROKER_CONSUMER', 'busy', { canRetry: true })],
    ['any error with canRetry: true', Object.assign(new Error('503 from the CRM'), { canRetry: true })],
    ['AuthenticationError (credentials, not the event)', new AuthenticationError('password rejected')],
    ['ConfigError (the setup, not the event)', new ConfigError('database "x" does not exist')],
    ['BrokerClosedError', new BrokerClosedError('closed')],
  ])('%s is an infrastructure failure: pause, never dead-letter', (_name, error) => {
    expect(failureKind(error)).toBe('infrastructure');
  });

  it.each([
    ['a plain Error', new Error('cannot map this event')],
    [
      'a TypeError (a handler bug on this event)',
      new TypeError("Cannot read properties of undefined (reading 'x')"),
    ],
    [
      'a SinkError without canRetry (a row the database refuses)',
      new SinkError('postgres', 'value too long'),
    ],
    ['EventValidationError', new EventValidationError('text', 'text must be a string')],
    ['MessageTooLargeError', new MessageTooLargeError(2_000_000, 1_000_000, 'too big')],
    ['an error with canRetry: false', Object.assign(new Error('rejected'), { canRetry: false })],
    ['a thrown string', 'nope'],
    ['undefined', undefined],
  ])('%s is a message failure: retry, then dead-letter', (_name, error) => {
    expect(failureKind(error)).toBe('message');
  });
});

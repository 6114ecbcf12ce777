import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { toPythonJson } from '../src/events/python-json';

/** Runs real CPython's json.dumps so the expectations come from the reference, not from us. */
function pythonDumps(script: string, input: string): string[] {
  return execFileSync('python3', ['-c', script], { input, encoding: 'utf8' }).trimEnd().split('\n');
}

describe('Python-compatible JSON', () => {
  it('formats floats exactly like Python repr', () => {
    const floats = [
      0.0,
      -0.0,
      1.0,
      -1.0,
      0.1,
      0.5,
      1.5,
      100.0,
      1e-4,
      1e-5,
      0.00012345,
      1.2e-7,
      123456789.125,
      1e15,
      1e16,
      1.5e16,
      9007199254740992,
      1e21,
      1.7976931348623157e308,
      5e-324,
      1716801234.101234,
      1716801234.10287,
      1517821726.211031,
      0.9871,
      2 / 3,
      -123.456e-10,
    ];
    const expected = pythonDumps(
      'import json,sys\nfor line in sys.stdin: print(json.dumps({"timestamp": float(line)}))',
      floats.map((f) => (Object.is(f, -0) ? '-0.0' : String(f))).join('\n'),
    );
    expect(floats.map((f) => toPythonJson({ timestamp: f }))).toEqual(expected);
  });

  it('escapes strings exactly like ensure_ascii', () => {
    const strings = [
      'plain',
      'quote " and \\ backslash',
      'tab\tnew\nline\rcr\bb\ff',
      '\u0001\u001f\u007f',
      'é à ü',
      'emoji 😀 and 🇩🇪',
      '中文',
      'a/b<script>',
    ];
    const expected = pythonDumps(
      'import json,sys\nfor line in sys.stdin: print(json.dumps(json.loads(line)))',
      strings.map((s) => JSON.stringify(s)).join('\n'),
    );
    expect(strings.map((s) => toPythonJson(s))).toEqual(expected);
  });

  it('uses Python separators, keeps key order, prints ints as ints outside float fields', () => {
    const value = {
      b: 1,
      a: [1, 2.5, { c: null, d: true, e: false }],
      confidence: 1,
      empty: {},
      list: [],
      big: 1e21,
    };
    expect(toPythonJson(value)).toBe(
      '{"b": 1, "a": [1, 2.5, {"c": null, "d": true, "e": false}], "confidence": 1.0, "empty": {}, "list": [], "big": 1000000000000000000000}',
    );
  });

  it('refuses NaN and Infinity, naming where they are', () => {
    expect(() => toPythonJson({ parse_data: { intent: { confidence: Number.NaN } } })).toThrow(
      'parse_data.intent.confidence is not a finite number',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { parseProperties } from './properties.ts';

describe('parseProperties', () => {
  it('reads key=value, key: value and key value lines, skipping # and ! comments', () => {
    const props = parseProperties(
      ['# comment', '! also a comment', '', 'a=1', 'b: 2', 'c 3', '  d = four '].join('\n'),
    );
    expect([...props]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', 'four '],
    ]);
  });

  it("joins backslash continuation lines and drops the next line's leading blanks", () => {
    const props = parseProperties('listeners=PLAINTEXT://a:1,\\\n    CONTROLLER://b:2\nnext=x');
    expect(props.get('listeners')).toBe('PLAINTEXT://a:1,CONTROLLER://b:2');
    expect(props.get('next')).toBe('x');
  });

  it('decodes escapes in keys and values', () => {
    const props = parseProperties('my\\=key=a\\tb\\u0041\\\\');
    expect(props.get('my=key')).toBe('a\tbA\\');
  });

  it('lets a later key win and accepts CRLF line endings', () => {
    const props = parseProperties('a=1\r\na=2\r\n');
    expect(props.get('a')).toBe('2');
  });

  it('rejects a malformed unicode escape with a coded error', () => {
    expect(() => parseProperties('a=\\u12')).toThrow(ConfigError);
    try {
      parseProperties('a=\\uZZZZ');
    } catch (err) {
      expect((err as ConfigError).code).toBe('BAD_PROPERTIES_ESCAPE');
    }
  });
});

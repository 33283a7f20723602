import { describe, expect, it } from 'vitest';
import { maskSecrets, redactUrl, redactUrlsIn, splitUrlCredentials, urlSecrets } from '../../src/core/redact.js';

const KEY = 'sk-live-9f8e7d6c5b4a3210';

describe('maskSecrets', () => {
  it('masks every occurrence of a secret', () => {
    expect(maskSecrets(`a ${KEY} b ${KEY}`, [KEY])).toBe('a *** b ***');
  });

  it('masks a prefix of a secret that a truncation left before "…" or at the end', () => {
    expect(maskSecrets(`401: invalid key ${KEY.slice(0, 12)}…`, [KEY])).toBe('401: invalid key ***…');
    expect(maskSecrets(`invalid key ${KEY.slice(0, 9)}`, [KEY])).toBe('invalid key ***');
  });

  it('leaves short placeholder keys and missing secrets alone', () => {
    expect(maskSecrets('check the base URL', ['x', undefined, ''])).toBe('check the base URL');
  });

  it('masks URL credentials in any message, even with "@" inside the password', () => {
    expect(maskSecrets('cannot reach https://bob:hunter2hunter@proxy.example:8080/v1 (refused)', [])).toBe('cannot reach https://***@proxy.example:8080/v1 (refused)');
    expect(redactUrlsIn('http://u:p@ss@host/x and http://plain.example/')).toBe('http://***@host/x and http://plain.example/');
  });
});

describe('URL credentials', () => {
  it('redactUrl keeps everything but the credentials', () => {
    expect(redactUrl('http://user:pass@127.0.0.1:11434')).toBe('http://***@127.0.0.1:11434');
    expect(redactUrl('https://api.openai.com/v1')).toBe('https://api.openai.com/v1');
  });

  it('splitUrlCredentials takes them out, percent-decoded', () => {
    expect(splitUrlCredentials('http://me:p%40ss%3Aword@host:8/v1')).toEqual({ url: 'http://host:8/v1', username: 'me', password: 'p@ss:word' });
    expect(splitUrlCredentials('http://host/v1')).toEqual({ url: 'http://host/v1' });
  });

  it('urlSecrets lists the password raw and decoded, or a bare token user', () => {
    expect(urlSecrets('http://me:p%40ssword@host')).toEqual(['p%40ssword', 'p@ssword', 'me:p%40ssword']);
    expect(urlSecrets('https://ghp_tokenvalue123@host')).toEqual(['ghp_tokenvalue123', 'ghp_tokenvalue123']);
    expect(urlSecrets('https://host')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { excerpt, readErrorFields } from '../../src/providers/error-body.js';
import { finishReason } from '../../src/providers/finish-reason.js';
import { classifyHttpError, networkErrorInfo, parseRetryAfter, redact } from '../../src/providers/http.js';
import type { ProviderSpec } from '../../src/providers/provider.js';
import { SECRET_KEY } from './support.js';

const openai: ProviderSpec = { id: 'openai', protocol: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: SECRET_KEY, keyEnv: ['OPENAI_API_KEY'], needsKey: true };
const ollama: ProviderSpec = { id: 'ollama', protocol: 'ollama', baseUrl: 'http://127.0.0.1:11434', keyEnv: [], needsKey: false };
const h = (init: Record<string, string> = {}) => new Headers(init);

/** What undici throws: TypeError("fetch failed") with the socket error as cause. */
const fetchFailed = (cause: object) => new TypeError('fetch failed', { cause: Object.assign(new Error('socket'), cause) });

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    [{ 'retry-after': '7' }, 7000],
    [{ 'retry-after': '1.5' }, 1500],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, 30_000],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [{ 'retry-after-ms': '0', 'retry-after': '1' }, 1000],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
    // No usable instruction: mmr's own backoff applies instead of an immediate burst of retries.
    [{ 'retry-after': '0' }, undefined],
    [{ 'retry-after': '0.0001' }, undefined],
    [{ 'retry-after': '-5' }, undefined],
    [{ 'retry-after': '-1.5' }, undefined],
    [{ 'retry-after-ms': '-100' }, undefined],
    [{ 'retry-after-ms': '0', 'retry-after': '0' }, undefined],
    [{ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }, undefined],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:00 GMT' }, undefined],
    [{ 'retry-after': '2027-01-01' }, undefined], // not an HTTP date, though Date.parse reads it
  ])('%o → %s ms', (headers, ms) => {
    expect(parseRetryAfter(h(headers), now)).toBe(ms);
  });
});

describe('readErrorFields', () => {
  it('reads OpenAI, Anthropic, Gemini (array-wrapped) and Ollama envelopes', () => {
    expect(readErrorFields({ error: { message: 'm', type: 't', code: 'c' } })).toMatchObject({ message: 'm', type: 't', code: 'c' });
    expect(readErrorFields({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })).toMatchObject({ type: 'overloaded_error' });
    const gemini = [{ error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'q', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '48s' }] } }];
    expect(readErrorFields(gemini)).toMatchObject({ status: 'RESOURCE_EXHAUSTED', retryDelayMs: 48_000 });
    expect(readErrorFields({ error: 'model not found' })).toEqual({ message: 'model not found' });
    expect(readErrorFields({ detail: 'Not Found' })).toEqual({ message: 'Not Found' });
    expect(readErrorFields('nope')).toEqual({});
  });
});

describe('classifyHttpError', () => {
  const classify = (status: number, body: unknown, headers: Record<string, string> = {}, spec = openai) =>
    classifyHttpError(spec, status, h(headers), typeof body === 'string' ? body : JSON.stringify(body));

  it.each([
    [408, 'timeout', true],
    [409, 'bad-request', true],
    [403, 'auth', false],
    [413, 'bad-request', false],
    [422, 'bad-request', false],
    [504, 'server', true],
  ])('HTTP %i → %s, retryable %s', (status, kind, retryable) => {
    expect(classify(status, { error: { message: 'x' } })).toMatchObject({ kind, retryable, status });
  });

  it('recognises context-length errors by code or wording', () => {
    expect(classify(400, { error: { message: 'x', code: 'context_length_exceeded' } }).kind).toBe('context-length');
    expect(classify(400, { error: { message: "This model's maximum context length is 8192 tokens." } }).kind).toBe('context-length');
    expect(classify(400, { error: { message: 'The input token count (2000000) exceeds the maximum number of tokens allowed (1048576).' } }).kind).toBe('context-length');
  });

  it('does not retry quota exhaustion or an OpenAI "Request too large" 429', () => {
    expect(classify(429, { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } })).toMatchObject({ retryable: false, hint: expect.stringContaining('billing') });
    expect(classify(429, { error: { message: 'Request too large for gpt-4o on tokens per min (TPM)', code: 'rate_limit_exceeded' } }).retryable).toBe(false);
  });

  it('describes a non-JSON body briefly and never includes the key', () => {
    const err = classify(404, `<html><title>Not Found</title><body>${SECRET_KEY}</body></html>`);
    expect(err.message).toBe('openai returned HTTP 404: an HTML page: "Not Found"');
    expect(err.hint).toContain('base URL (https://api.openai.com/v1)');
    const echoed = classify(400, { error: { message: `bad key ${SECRET_KEY}`, code: SECRET_KEY } });
    expect(JSON.stringify(echoed)).not.toContain(SECRET_KEY);
    expect(classify(500, '').message).toBe('openai returned HTTP 500: empty response body');
  });
});

describe('networkErrorInfo', () => {
  it('ECONNREFUSED on Ollama → connection refused at host:port, hint to start it', () => {
    const err = networkErrorInfo(ollama, fetchFailed({ code: 'ECONNREFUSED', address: '127.0.0.1', port: 11434 }));
    expect(err).toMatchObject({ kind: 'network', retryable: true, status: null, message: 'connection refused at 127.0.0.1:11434' });
    expect(err.hint).toBe('is Ollama running? start it with `ollama serve` or set OLLAMA_HOST');
  });

  it('finds the code inside an AggregateError (localhost tried on ::1 and 127.0.0.1)', () => {
    const agg = new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED', address: '::1', port: 8000 })], 'all failed');
    expect(networkErrorInfo(openai, new TypeError('fetch failed', { cause: agg })).message).toBe('connection refused at ::1:8000');
  });

  it('ENOTFOUND, mid-stream termination, TLS and timeouts', () => {
    expect(networkErrorInfo(openai, fetchFailed({ code: 'ENOTFOUND', hostname: 'api.openai.com' }))).toMatchObject({
      message: 'could not resolve host api.openai.com',
      hint: expect.stringContaining('network connection'),
    });
    const terminated = new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(networkErrorInfo(openai, terminated, 'stream')).toMatchObject({ kind: 'network', retryable: true, message: 'connection closed mid-stream' });
    expect(networkErrorInfo(openai, fetchFailed({ code: 'ECONNRESET' })).message).toBe('connection reset by api.openai.com');
    expect(networkErrorInfo(openai, fetchFailed({ code: 'SELF_SIGNED_CERT_IN_CHAIN' }))).toMatchObject({ retryable: false, hint: expect.stringContaining('NODE_EXTRA_CA_CERTS') });
    expect(networkErrorInfo(openai, fetchFailed({ code: 'UND_ERR_CONNECT_TIMEOUT' })).message).toBe('connection to api.openai.com timed out');
  });
});

describe('redact', () => {
  it('replaces every occurrence of the key', () => {
    expect(redact(openai, `a ${SECRET_KEY} b ${SECRET_KEY}`)).toBe('a *** b ***');
    expect(redact(ollama, 'nothing to hide')).toBe('nothing to hide');
  });
});

describe('excerpt', () => {
  it('prefers an HTML title, flattens whitespace and bounds length', () => {
    expect(excerpt('<!DOCTYPE html><html><head><title> Login </title>')).toBe('an HTML page: "Login"');
    expect(excerpt('a\n  b')).toBe('"a b"');
    expect(excerpt('x'.repeat(500)).length).toBeLessThan(130);
  });
});

describe('finishReason', () => {
  it.each([
    ['stop', 'stop'],
    ['end_turn', 'stop'],
    ['STOP', 'stop'],
    ['stop_sequence', 'stop'],
    ['length', 'length'],
    ['max_tokens', 'length'],
    ['MAX_TOKENS', 'length'],
    ['content_filter', 'content-filter'],
    ['SAFETY', 'content-filter'],
    ['RECITATION', 'content-filter'],
    ['tool_calls', 'tool-calls'],
    ['tool_use', 'tool-calls'],
    ['MALFORMED_FUNCTION_CALL', 'other'],
    ['constructor', 'other'],
  ])('%s → %s, raw kept', (raw, unified) => {
    expect(finishReason(raw)).toEqual({ unified, raw });
  });
  it('no reason → unknown with raw null', () => {
    expect(finishReason(null)).toEqual({ unified: 'unknown', raw: null });
  });
});

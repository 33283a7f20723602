/**
 * Every recorded provider response in ../shared/realdata/streams (see its SOURCES.md) must give
 * exactly what SOURCES.md says, served byte for byte by a real HTTP server and split at several
 * chunk sizes (the runner is recorded.ts; the second set is conformance-next.test.ts).
 */
import { chatDeltas, describeRecorded, usage, type Case } from './recorded.js';

const zeroDetails = { cachedInputTokens: 0, reasoningTokens: 0 };

/** Expectations transcribed from SOURCES.md, one per file. */
const CASES: Record<string, Case> = {
  'openai/chat-stream-usage.sse': { protocol: 'openai', text: '1, 2, 3, 4, 5', finish: ['stop', 'stop'], usage: usage(14, 13, zeroDetails) },
  'openai/chat-stream-length.sse': {
    protocol: 'openai',
    text: 'Here is a list of all 50 U.S. states:\n\n1. Alabama\n2. Alaska\n3. Arizona\n4. Arkansas\n5. California\n6. Colorado\n7. Connecticut\n8. Delaware\n9. Florida\n10',
    finish: ['length', 'length'],
    usage: usage(14, 50, zeroDetails),
  },
  'openai/chat-stream-tool-calls.sse': { protocol: 'openai', text: '', finish: ['tool_calls', 'tool-calls'], usage: usage(53, 15, zeroDetails) },
  'openai/chat-completion.json': {
    protocol: 'openai',
    text: "Hello! I'm just a computer program, so I don't have feelings, but I'm here to help you. How can I assist you today?",
    finish: ['stop', 'stop'],
    usage: usage(13, 31, zeroDetails),
  },
  'openai/chat-completion-length.json': {
    protocol: 'openai',
    text: 'Certainly! Here is a list of all 50 U.S. states:\n\n1. Alabama\n2. Alaska\n3. Arizona\n4. Arkansas\n5. California\n6. Colorado\n7. Connecticut\n8. Delaware\n9. Florida',
    finish: ['length', 'length'],
    usage: usage(14, 50, zeroDetails),
  },
  'openai/error-401-invalid-api-key.json': {
    protocol: 'openai',
    status: 401,
    error: { kind: 'auth', status: 401, retryable: false, code: 'invalid_api_key', hintIncludes: 'OPENAI_API_KEY', messageIncludes: 'Incorrect API key' },
  },
  'openai/error-429-request-too-large-tpm.json': {
    protocol: 'openai',
    status: 429,
    headers: { 'x-ratelimit-limit-tokens': '2000000', 'x-ratelimit-remaining-tokens': '1999998', 'x-ratelimit-reset-tokens': '0s', 'x-ratelimit-reset-requests': '12ms' },
    error: { kind: 'rate-limit', status: 429, retryable: false, code: 'rate_limit_exceeded', retryAfterMs: undefined, messageIncludes: 'Request too large' },
  },
  'openai/error-400-context-length-exceeded-responses-api.json': {
    protocol: 'openai',
    status: 400,
    error: { kind: 'context-length', status: 400, retryable: false, code: 'context_length_exceeded' },
  },
  'anthropic/messages-stream.sse': { protocol: 'anthropic', text: '- Captain\n- Scoop', finish: ['end_turn', 'stop'], usage: usage(17, 10, { cachedInputTokens: 0 }) },
  'anthropic/messages-stream-count.sse': { protocol: 'anthropic', text: '1\n2\n3\n4\n5', finish: ['end_turn', 'stop'], usage: usage(15, 13, { cachedInputTokens: 0 }) },
  'anthropic/messages-stream-max-tokens.sse': {
    protocol: 'anthropic',
    text: 'Here are all 50 U.S. states in alphabetical order:\n\n1. Alabama\n2. Alaska\n3. Arizona\n4. Arkansas\n5. California\n6. Colorado\n7. Connecticut\n8. Delaware\n9',
    finish: ['max_tokens', 'length'],
    usage: usage(15, 50, { cachedInputTokens: 0 }),
  },
  'anthropic/messages.json': {
    protocol: 'anthropic',
    text: "Hello! As an AI language model, I don't have feelings, but I'm functioning properly and ready to assist you. How can I help you today?",
    finish: ['end_turn', 'stop'],
    usage: usage(13, 35, { cachedInputTokens: 0 }),
  },
  'anthropic/error-401-invalid-api-key.json': {
    protocol: 'anthropic',
    status: 401,
    headers: { 'x-should-retry': 'false' },
    error: { kind: 'auth', status: 401, retryable: false, code: 'authentication_error', hintIncludes: 'ANTHROPIC_API_KEY' },
  },
  'anthropic/error-400-prompt-too-long.json': {
    protocol: 'anthropic',
    status: 400,
    headers: { 'x-should-retry': 'false' },
    error: { kind: 'context-length', status: 400, retryable: false, code: 'invalid_request_error', messageIncludes: 'prompt is too long' },
  },
  'anthropic/error-429-rate-limit.json': {
    protocol: 'anthropic',
    status: 429,
    headers: { 'x-should-retry': 'false', 'anthropic-ratelimit-input-tokens-limit': '450000', 'anthropic-ratelimit-input-tokens-remaining': '450000' },
    error: { kind: 'rate-limit', status: 429, retryable: false, code: 'rate_limit_error', retryAfterMs: undefined },
  },
  'anthropic/error-529-overloaded.json': {
    protocol: 'anthropic',
    status: 529,
    error: { kind: 'overloaded', status: 529, retryable: true, code: 'overloaded_error' },
  },
  'anthropic/stream-error-event-overloaded.sse': {
    protocol: 'anthropic',
    error: { kind: 'overloaded', status: null, retryable: true, code: 'overloaded_error', messageIncludes: 'Overloaded' },
  },
  'gemini/stream-alt-sse.sse': { protocol: 'gemini', text: 'The capital of France is Paris.\n', finish: ['STOP', 'stop'], usage: usage(13, 8) },
  'gemini/stream-alt-sse-thoughts.sse': {
    protocol: 'gemini',
    text: Array.from({ length: 30 }, (_, i) => i + 1).join('\n'),
    finish: ['STOP', 'stop'],
    usage: usage(18, 115, { reasoningTokens: 35 }),
  },
  'gemini/stream-alt-sse-max-tokens.sse': { protocol: 'gemini', text: 'Here are all 50 U.S.', finish: ['MAX_TOKENS', 'length'], usage: usage(9, 48, { reasoningTokens: 38 }) },
  'gemini/generate-content.json': {
    protocol: 'gemini',
    text: 'To calculate 4200 + 42:\n\n*   **Hundreds, thousands:** 4200\n*   **Tens, ones:** 42\n\nAdding them together:\n4200\n+  42\n-----\n4242\n\nSo, 4200 + 42 = **4242**.',
    finish: ['STOP', 'stop'],
    usage: usage(13, 102, { reasoningTokens: 25 }),
  },
  'gemini/generate-content-max-tokens.json': { protocol: 'gemini', text: 'Here is a list of all 50 U', finish: ['MAX_TOKENS', 'length'], usage: usage(9, 48, { reasoningTokens: 38 }) },
  'gemini/error-400-api-key-invalid-alt-sse.json': {
    protocol: 'gemini',
    status: 400,
    headers: { 'content-type': 'text/event-stream' },
    error: { kind: 'auth', status: 400, retryable: false, code: 'API_KEY_INVALID', hintIncludes: 'GEMINI_API_KEY' },
  },
  'gemini/error-429-resource-exhausted.json': {
    protocol: 'gemini',
    status: 429,
    error: { kind: 'rate-limit', status: 429, retryable: true, retryAfterMs: 48_000 },
  },
  'ollama/api-chat-stream.ndjson': { protocol: 'ollama', model: 'gemma3:1b', text: 'Okay, here we go!\n\n1, 2, 3, 4, 5\n', finish: ['stop', 'stop'], usage: usage(16, 22) },
  'ollama/v1-chat-stream-usage.sse': { protocol: 'openai', text: '1  \n2  \n3', reasoningLength: 1177, finish: ['stop', 'stop'], usage: usage(17, 289) },
  'ollama/v1-chat-completion.json': {
    protocol: 'openai',
    text: "The answer to **2 + 2** is **4**. \n\nThis is a basic arithmetic problem where adding the two numbers (2 and 2) results in the sum of 4. Let me know if you'd like further clarification! 😊",
    reasoningLength: 984,
    finish: ['stop', 'stop'],
    usage: usage(18, 295),
  },
  'openai-compatible/gpustack-qwen3-stream.sse': {
    protocol: 'openai',
    text: '\n\n1, 2, 3.',
    reasoningOf: chatDeltas('reasoning_content'),
    finish: ['stop', 'stop'],
    usage: usage(15, 171, { cachedInputTokens: 0, reasoningTokens: 160 }),
  },
  'openai-compatible/azure-429-retry-after.json': {
    protocol: 'openai',
    status: 429,
    headers: { 'retry-after': '1', 'retry-after-ms': '0' },
    error: { kind: 'rate-limit', status: 429, retryable: true, retryAfterMs: 1000, code: 'RateLimitReached' },
  },
  'openai-compatible/deepseek-400-context-length.json': {
    protocol: 'openai',
    status: 400,
    headers: { 'content-type': 'application/octet-stream' },
    error: { kind: 'context-length', status: 400, retryable: false, code: 'invalid_request_error' },
  },
};


describeRecorded('streams', CASES);

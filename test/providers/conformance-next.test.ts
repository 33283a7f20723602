/**
 * The second set of recorded provider traffic, ../shared/realdata/streams-next (see its
 * SOURCES.md): the Responses API (text, reasoning summary, incomplete, a complete JSON body),
 * Anthropic thinking and parallel tool use, Gemini thought parts and a SAFETY block, Azure AI
 * Foundry's filter fields, and the reasoning deltas of DeepSeek, OpenRouter, Groq and Mistral.
 * Reasoning must arrive apart from the answer, never inside it.
 */
import { chatDeltas, describeRecorded, sseData, usage, type Case } from './recorded.js';
import { SUMMARY_SEPARATOR } from '../../src/providers/responses.js';

const zero = { cachedInputTokens: 0, reasoningTokens: 0 };

/** The reasoning item's summary parts, as the final response object gives them. */
const summaryOf = (response: any): string[] =>
  (response?.output ?? []).filter((o: any) => o?.type === 'reasoning').flatMap((o: any) => (o.summary ?? []).map((s: any) => s.text as string));
const streamedSummary = (body: Buffer) => summaryOf((sseData(body).find((e: any) => e?.type === 'response.completed') as any)?.response);
const jsonSummary = (body: Buffer) => summaryOf(JSON.parse(body.toString('utf8')));
const geminiThoughts = (body: Buffer) =>
  (JSON.parse(body.toString('utf8')).candidates[0].content.parts as any[]).filter((p) => p.thought === true).map((p) => p.text as string).join('');

const CASES: Record<string, Case> = {
  'openai/responses-stream-text.sse': { protocol: 'openai-responses', text: '4200 + 42 equals 4242.', finish: ['completed', 'stop'], usage: usage(16, 11, zero) },
  'openai/responses-stream-reasoning-summary.sse': {
    protocol: 'openai-responses',
    text: '3',
    reasoningParts: {
      of: streamedSummary,
      count: 3,
      joined: { bytes: 1427, sha256: '2f343c67ad12977869fc266c35425e42880080392dded6bdae12269cf1d20481', starts: '**Exploring prime numbers**\n\nI need to find prime numbers less than 400' },
      separator: SUMMARY_SEPARATOR,
    },
    finish: ['completed', 'stop'],
    usage: usage(32, 839, { cachedInputTokens: 0, reasoningTokens: 832 }),
  },
  'openai/responses-reasoning.json': {
    protocol: 'openai-responses',
    text: '3',
    reasoningParts: { of: jsonSummary, count: 5, separator: SUMMARY_SEPARATOR },
    finish: ['completed', 'stop'],
    usage: usage(32, 1095, { cachedInputTokens: 0, reasoningTokens: 1088 }),
  },
  'openai/responses-stream-incomplete-max-output-tokens.sse': {
    protocol: 'openai-responses',
    text: 'Sure! Here is a list of all 50 U.S. states:\n\n1. Alabama\n2. Alaska\n3. Arizona\n4. Arkansas\n5. California\n6. Colorado\n7. Connecticut\n8. Delaware\n9. Florida',
    finish: ['max_output_tokens', 'length'],
    usage: usage(14, 50, zero),
  },
  'anthropic/messages-stream-thinking.sse': {
    protocol: 'anthropic',
    text: {
      codePoints: 1253,
      bytes: 1263,
      sha256: '3ae19349b2f8baa076f7b7b1248e558f49698b9d9781c4e362a37647dfaf2109',
      starts: 'I\'d ask: **"What would you say if I asked you this question?"**\n\nIt\'s a question the mirror genuinely cannot answer truthfully—',
      ends: 'than a direct prophecy anyway.\n\nWhat draws you to this paradox?',
    },
    reasoning: { chars: 1476, sha256: 'a65f103038f725fce84136401ce7bc0328512e5c2e1a9b2dc74c0ab17819e465', starts: 'This is a clever paradox question.' },
    finish: ['end_turn', 'stop'],
    usage: usage(80, 638, { cachedInputTokens: 0, reasoningTokens: 353 }),
  },
  'anthropic/messages-stream-tool-use.sse': {
    protocol: 'anthropic',
    text: "I'll retrieve the secrets for both passwords you provided.",
    finish: ['tool_use', 'tool-calls'],
    usage: usage(416, 109, { cachedInputTokens: 0 }),
  },
  'gemini/generate-content-include-thoughts.json': {
    protocol: 'gemini',
    text: {
      chars: 355,
      sha256: '562e1ba7de1e50f5cec9ac892826e48d3eda91a308b8ca8996280d92415fb8bd',
      starts: 'The primes below 400 that contain "79" as a substring are:\n\n1.  **79**: This is a prime number.\n',
      ends: 'Therefore, there are 3 such primes.\n\n3',
    },
    reasoningOf: geminiThoughts,
    reasoningLength: 1423,
    finish: ['STOP', 'stop'],
    usage: usage(30, 136 + 1754, { reasoningTokens: 1754 }),
  },
  // Blocked output, not a blocked prompt: an empty answer whose stop reason says why.
  'gemini/generate-content-safety-blocked.json': { protocol: 'gemini', text: '', finish: ['SAFETY', 'content-filter'], usage: usage(14, 0) },
  'openai-compatible/azure-foundry-gpt-5-nano-stream.sse': {
    protocol: 'openai',
    text: {
      codePoints: 838,
      bytes: 842,
      sha256: '7e7fe02da036d0983154e764ff58cc59d52f825c1147637564be8f53da839adb',
      starts: '- The question to ask: "Will your answer to this question be \'No\'?"\n\n',
      ends: 'the content of the answer itself cannot be trusted because it’s part of a paradox.',
    },
    finish: ['stop', 'stop'],
    usage: usage(50, 4350, { cachedInputTokens: 0, reasoningTokens: 4160 }),
  },
  'openai-compatible/deepseek-reasoner-stream.sse': {
    protocol: 'openai',
    text: 'Hello there! 😊 How can I help you today?',
    reasoning: { chars: 882, sha256: 'd29146ea4f40dfde7b6155babd3d948397e1b174950e603ef18518f0ff85585a', starts: 'Hmm, the user just said "Hello".' },
    finish: ['stop', 'stop'],
    usage: usage(6, 212, { cachedInputTokens: 0, reasoningTokens: 198 }),
  },
  'openai-compatible/openrouter-reasoning-stream.sse': {
    protocol: 'openai',
    text: '2 + 2 = 4',
    reasoning: 'This is a simple arithmetic question. 2+2 equals 4.',
    finish: ['stop', 'stop'],
    usage: usage(43, 36, { cachedInputTokens: 0, reasoningTokens: 13 }),
  },
  'openai-compatible/groq-gpt-oss-reasoning-stream.sse': {
    protocol: 'openai',
    text: 'The tool returned the expected result for the valid call.',
    reasoning:
      'The user wants to test error handling by calling tool with non-existent parameters first (we did) and then second try with valid args. We have succeeded. Now respond concisely.',
    finish: ['stop', 'stop'],
    usage: usage(339, 58, { reasoningTokens: 38 }),
  },
  'openai-compatible/mistral-stream.sse': { protocol: 'openai', text: '1, 2, 3', finish: ['stop', 'stop'], usage: usage(22, 8, { cachedInputTokens: 0 }) },
  'openai-compatible/mistral-stream-thinking-parts.sse': {
    protocol: 'openai',
    text: '144',
    reasoning:
      'The user is asking for the product of 12 multiplied by 12. I know that 12 times 12 is a basic multiplication fact. Let me calculate it:\n\n12 * 12 = 144\n\nSo, the answer is 144.',
    finish: ['stop', 'stop'],
    usage: usage(31, 66, { cachedInputTokens: 0 }),
  },
};

// Groq's reasoning deltas, read plainly, are the reasoning SOURCES.md gives: a cross-check of the transcription.
CASES['openai-compatible/groq-gpt-oss-reasoning-stream.sse'].reasoningOf = chatDeltas('reasoning');

describeRecorded('streams-next', CASES);

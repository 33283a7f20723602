/**
 * `mmr demo`'s script for the mock server: replays the answers the project ships
 * (fixtures/demo/answers.json) with each model's own pace, so a newcomer without API keys
 * sees the whole real path: HTTP, streaming, parsing, timing, cost.
 */
import { readFileSync } from 'node:fs';
import { lastUserText } from './text.js';
import type { MockReply, MockRequestInfo } from './types.js';

export interface DemoAnswer {
  /** The answer as the model would stream it. */
  text: string;
  /** Optional reasoning streamed before the text. */
  reasoning?: string;
  /** Tokens billed: `input` prompt tokens, `output` completion tokens (reasoning included). */
  usage: { input: number; output: number };
  /** `ttftMs`: ms to the first token; `tokensPerSecond`: output tokens per second after it. */
  latency: { ttftMs: number; tokensPerSecond: number };
  finish?: 'stop' | 'length';
}

export interface DemoPrompt {
  prompt: string;
  /** Keyed by model id `provider:model`, e.g. `openai:gpt-4o-mini`. */
  answers: Record<string, DemoAnswer>;
}

export interface DemoAnswers {
  description?: string;
  version: 1;
  /** The first prompt is the demo's default. */
  prompts: DemoPrompt[];
}

export interface DemoReplyOptions {
  /** Multiplies every delay: 1 = real pace (default), 0 = no delays (tests), 0.5 = twice as fast. */
  timeScale?: number;
}

/** The prompt `mmr demo` asks when the user gives none. */
export function defaultDemoPrompt(answers: DemoAnswers): string {
  return answers.prompts[0].prompt;
}

function problem(path: string, where: string, what: string): Error {
  return new Error(`${path}: ${where ? `${where}: ` : ''}${what}`);
}

/** Reads and checks the demo answers file; the error names the file and the bad field. */
export function loadDemoAnswers(path: string): DemoAnswers {
  let data: any;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw problem(path, '', `cannot read demo answers (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!Array.isArray(data?.prompts) || data.prompts.length === 0) throw problem(path, 'prompts', 'must be a non-empty array');
  data.prompts.forEach((p: any, i: number) => {
    const at = `prompts[${i}]`;
    if (typeof p?.prompt !== 'string') throw problem(path, `${at}.prompt`, 'must be a string');
    if (!p.answers || typeof p.answers !== 'object' || Object.keys(p.answers).length === 0) {
      throw problem(path, `${at}.answers`, 'must map at least one model id to an answer');
    }
    for (const [id, a] of Object.entries<any>(p.answers)) {
      const where = `${at}.answers["${id}"]`;
      if (typeof a?.text !== 'string') throw problem(path, `${where}.text`, 'must be a string');
      if (!(a.usage?.input >= 0) || !(a.usage?.output >= 0)) throw problem(path, `${where}.usage`, 'needs input and output token counts');
      if (!(a.latency?.ttftMs >= 0) || !(a.latency?.tokensPerSecond > 0)) {
        throw problem(path, `${where}.latency`, 'needs ttftMs >= 0 and tokensPerSecond > 0');
      }
    }
  });
  return data as DemoAnswers;
}

const normalize = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
const words = (s: string) => new Set(normalize(s).split(/[^a-z0-9]+/).filter((w) => w.length > 2));

/** Exact prompt, else the same text ignoring case/spacing, else the most shared words, else the first. */
function pickPrompt(answers: DemoAnswers, asked: string): DemoPrompt {
  const exact = answers.prompts.find((p) => p.prompt === asked) ?? answers.prompts.find((p) => normalize(p.prompt) === normalize(asked));
  if (exact) return exact;
  const want = words(asked);
  let best = answers.prompts[0];
  let bestScore = 0;
  for (const p of answers.prompts) {
    const have = words(p.prompt);
    const shared = [...want].filter((w) => have.has(w)).length;
    const score = shared / (want.size + have.size - shared || 1);
    if (score > bestScore) [best, bestScore] = [p, score];
  }
  return best;
}

/** The answer for this model; else one from the same provider; else the prompt's first. */
function pickAnswer(prompt: DemoPrompt, req: MockRequestInfo): DemoAnswer {
  const ids = [`${req.protocol}:${req.model}`, `${req.protocol}:${req.model.replace(/:latest$/, '')}`];
  for (const id of ids) if (prompt.answers[id]) return prompt.answers[id];
  const sameProvider = Object.keys(prompt.answers).find((id) => id.startsWith(`${req.protocol}:`));
  return prompt.answers[sameProvider ?? Object.keys(prompt.answers)[0]];
}

/** ms between delta events the UI can draw smoothly (~60 per second). */
const FRAME_MS = 16;

/**
 * The scripted reply for one demo request: the answer picked by the request's last user
 * message and model, paced so ttft and tokens/second come out as the answer's profile says.
 */
export function demoReply(answers: DemoAnswers, req: MockRequestInfo, options: DemoReplyOptions = {}): MockReply {
  const scale = Math.max(0, options.timeScale ?? 1);
  const answer = pickAnswer(pickPrompt(answers, lastUserText(req.protocol, req.body)), req);
  const chars = Array.from(answer.text).length + Array.from(answer.reasoning ?? '').length;
  const charsPerToken = answer.usage.output > 0 && chars > 0 ? chars / answer.usage.output : 4;
  const tps = answer.latency.tokensPerSecond;
  const deltaChars = Math.max(1, Math.round(tps * charsPerToken * (FRAME_MS / 1000)));
  const chunkDelayMs = ((deltaChars / charsPerToken / tps) * 1000) * scale;
  // Part of the wait happens before the headers, as with a real API that queues the request.
  const ttft = answer.latency.ttftMs * scale;
  const headerDelayMs = Math.round(ttft * 0.25);
  return {
    text: answer.text,
    reasoning: answer.reasoning,
    usage: { input: answer.usage.input, output: answer.usage.output },
    finish: answer.finish ?? 'stop',
    headerDelayMs,
    firstChunkDelayMs: Math.round(ttft) - headerDelayMs,
    chunkDelayMs: Math.round(chunkDelayMs),
    deltaChars,
  };
}

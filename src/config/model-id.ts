/**
 * Model ids as users type them: `provider:model` (split on the first colon, so
 * `ollama:llama3.2:1b` works) and the config aliases that lead to one. Errors name what is
 * wrong and suggest the id or alias that was probably meant; a pasted key is never echoed.
 */
import { looksLikeApiKey } from './checks.js';
import { suggest } from './suggest.js';
import { getPreset } from '../providers/presets.js';
import { UsageError } from '../core/errors.js';
import { formatVariantRef, splitVariantRef } from '../core/variants.js';

export interface ParsedModelId {
  /** Text before the first colon. */
  provider: string;
  /** Everything after the first colon, unchanged (may contain colons and slashes). */
  model: string;
}

const EXAMPLE = 'openai:gpt-4o-mini';
const PROVIDER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Which provider a bare model name most likely belongs to, for "did you mean openai:gpt-4o?". */
function guessProvider(name: string): string | undefined {
  const n = name.toLowerCase();
  if (/^(gpt-|o\d|chatgpt-)/.test(n)) return 'openai';
  if (n.startsWith('claude')) return 'anthropic';
  if (n.startsWith('gemini')) return 'gemini';
  if (n.startsWith('grok')) return 'xai';
  if (/^deepseek-(chat|reasoner)$/.test(n)) return 'deepseek';
  if (/^(mistral-|codestral|magistral|ministral)/.test(n)) return 'mistral';
  if (/^(llama|qwen|phi|gemma|smollm|deepseek-r1)/.test(n)) return 'ollama';
  return undefined;
}

/** Why `text` is not a `provider:model` id, or undefined when it is one. No alias lookup here. */
export function modelIdProblem(text: string): string | undefined {
  if (text.length === 0) return 'is empty';
  if (/\s/.test(text)) return 'contains whitespace';
  const i = text.indexOf(':');
  if (i < 0) return 'has no provider';
  if (i === 0) return 'has an empty provider';
  if (i === text.length - 1) return 'has an empty model name';
  if (!PROVIDER_ID.test(text.slice(0, i))) return 'has an invalid provider id (letters, digits, ".", "_", "-")';
  return undefined;
}

/** Quote user input, unless it looks like a pasted key: those never reach stderr or logs. */
function quote(text: string): string {
  return looksLikeApiKey(text) ? '(value hidden: it looks like an API key)' : JSON.stringify(text);
}

/** The UsageError for a malformed id; `extra` adds context such as the aliases that exist. */
function malformed(text: string, problem: string, extra = ''): UsageError {
  let tip = '';
  if (problem === 'has no provider') {
    if (getPreset(text)) tip = ` "${text}" is a provider; add a model name, e.g. ${text}:<model>.`;
    else {
      const p = guessProvider(text);
      if (p) tip = ` Did you mean "${p}:${text}"?`;
    }
  }
  return new UsageError(
    `invalid model id ${quote(text)}: it ${problem}. Use the form provider:model, e.g. ${EXAMPLE}.${tip}${extra}`,
    'Model ids are provider:model (ollama:llama3.2:1b works: only the first colon splits). ' +
      'Define short names under `aliases:` in .routerrc.',
  );
}

/** Split `provider:model` on the FIRST colon. Throws UsageError for anything else. */
export function parseModelId(text: string): ParsedModelId {
  const problem = modelIdProblem(text);
  if (problem) throw malformed(text, problem);
  const i = text.indexOf(':');
  return { provider: text.slice(0, i), model: text.slice(i + 1) };
}

/**
 * Follow aliases until a `provider:model` id. `chain` lists the aliases passed through,
 * outermost (what the user typed) first; empty when `ref` was already an id.
 */
export function expandAlias(ref: string, aliases: Record<string, string>): { id: string; chain: string[] } {
  // A variant (`fast{temperature=0}`) is its base expanded, its settings kept on the id.
  const variant = splitVariantRef(ref);
  if (variant) {
    const inner = expandAlias(variant.base, aliases);
    return { id: formatVariantRef(inner.id, variant.values), chain: inner.chain };
  }
  const chain: string[] = [];
  let current = ref;
  while (Object.hasOwn(aliases, current)) {
    if (chain.includes(current)) {
      const cycle = [...chain.slice(chain.indexOf(current)), current].join(' → ');
      throw new UsageError(`alias cycle in config: ${cycle}`, 'Point one of these aliases at a provider:model id.');
    }
    chain.push(current);
    current = aliases[current];
  }
  if (chain.length > 0 && !current.includes(':')) {
    throw new UsageError(
      `alias ${JSON.stringify(chain[chain.length - 1])} points to ${quote(current)}, which is neither an alias nor a provider:model id`,
      `Fix it under \`aliases:\` in .routerrc, e.g. ${chain[chain.length - 1]}: ${EXAMPLE}`,
    );
  }
  if (chain.length === 0 && modelIdProblem(current) === 'has no provider') {
    // A bare name is meant as an alias: say which aliases exist, and which one was probably meant.
    const names = Object.keys(aliases);
    const alias = suggest(current, names);
    const near = alias ? ` Did you mean the alias "${alias}"?` : '';
    const known = names.length ? ` Aliases in config: ${names.join(', ')}.` : ' No aliases are defined in config.';
    throw malformed(current, 'has no provider', `${known}${near}`);
  }
  return { id: current, chain };
}

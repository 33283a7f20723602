/**
 * The `.routerrc` schema as a hand-written walker: no ajv/zod, because config loads on every
 * command and a schema library costs more start-up time than this whole file. It checks one
 * file's plain value (parsed YAML/JSON, or a JS module's export) and returns every problem
 * with its path and, when `locate` is given, its line.
 */
import type { ConfigProblem } from '../core/errors.js';
import type { ModelOptions, PriceOverride } from '../core/model.js';
import { parseReasoning, REASONING_HELP } from '../core/reasoning.js';
import { modelIdProblem } from './model-id.js';
import { splitVariantRef } from '../core/variants.js';
import { HTTP_PROTOCOLS, type ProtocolKind } from '../providers/provider.js';
import type { PathSeg } from './checks.js';
import { provider } from './schema-provider.js';
import type { MmrConfig, ModelConfig } from './types.js';
import { FORBIDDEN_KEYS, Walker, type Locate } from './walker.js';

/** A fresh empty config: what mmr runs with when no file is found. */
export function emptyConfig(): MmrConfig {
  return { aliases: {}, models: {}, providers: {}, options: {}, timeouts: {}, retries: {}, rules: [] };
}

const TOP_KEYS = ['$schema', 'default', 'aliases', 'models', 'providers', 'options', 'timeouts', 'retries', 'limits', 'rules', 'learned'];
const OPTION_KEYS = ['temperature', 'maxTokens', 'topP', 'system', 'stop', 'reasoning'];
const MODEL_KEYS = [...OPTION_KEYS, 'protocol', 'price', 'contextWindow'];
const PRICE_KEYS = ['input', 'output', 'cachedInput'];
const TIMEOUT_KEYS = ['connectMs', 'firstTokenMs', 'idleMs', 'totalMs'];
const RETRY_KEYS = ['maxRetries', 'baseDelayMs', 'maxDelayMs'];
/** `limits:` bounds in bytes (see providers/limits.ts); capped so no file can switch the bound off. */
const LIMIT_RULES: Record<string, { min: number; max: number }> = {
  maxAnswerBytes: { min: 1024, max: 2 ** 30 },
  maxBodyBytes: { min: 65536, max: 2 ** 34 },
};

function modelRef(w: Walker, v: unknown, path: PathSeg[]): string | undefined {
  const s = w.string(v, path, { nonEmpty: true });
  if (s === undefined) return undefined;
  let variant;
  try {
    variant = splitVariantRef(s);
  } catch (err) {
    w.report(path, (err as Error).message);
    return undefined;
  }
  const problem = modelIdProblem(variant?.base ?? s);
  // No colon may still be an alias; only the resolver knows the merged alias table.
  if (problem && problem !== 'has no provider') {
    w.report(path, `is not a model id: it ${problem}; use provider:model, e.g. openai:gpt-4o-mini`);
    return undefined;
  }
  return s;
}

function options<T extends ModelOptions>(w: Walker, obj: Record<string, unknown>, path: PathSeg[], out: T): T {
  const set = <K extends keyof ModelOptions>(k: K, v: ModelOptions[K] | undefined) => {
    if (v !== undefined) out[k] = v as T[K];
  };
  set('temperature', w.number(obj.temperature, [...path, 'temperature'], { min: 0, max: 2 }));
  set('maxTokens', w.number(obj.maxTokens, [...path, 'maxTokens'], { min: 1, integer: true, unit: 'tokens' }));
  set('topP', w.number(obj.topP, [...path, 'topP'], { min: 0, max: 1 }));
  set('system', w.string(obj.system, [...path, 'system']));
  set('stop', w.stringList(obj.stop, [...path, 'stop'], { nonEmpty: true }));
  if (obj.reasoning !== undefined && obj.reasoning !== null) {
    const r = parseReasoning(obj.reasoning);
    if (r === undefined) w.report([...path, 'reasoning'], `must be ${REASONING_HELP}`);
    else set('reasoning', r);
  }
  return out;
}

function price(w: Walker, v: unknown, path: PathSeg[]): PriceOverride | undefined {
  const obj = w.object(v, path, PRICE_KEYS);
  if (!obj) return undefined;
  const unit = { min: 0, unit: 'USD per 1M tokens' };
  const input = w.number(obj.input, [...path, 'input'], unit);
  const output = w.number(obj.output, [...path, 'output'], unit);
  const cachedInput = w.number(obj.cachedInput, [...path, 'cachedInput'], unit);
  for (const k of ['input', 'output'] as const) {
    if (obj[k] === undefined || obj[k] === null) w.report(path, `needs "${k}" (USD per 1M tokens)`);
  }
  if (input === undefined || output === undefined) return undefined;
  return cachedInput === undefined ? { input, output } : { input, output, cachedInput };
}

function model(w: Walker, v: unknown, path: PathSeg[]): ModelConfig | undefined {
  const obj = w.object(v, path, MODEL_KEYS);
  if (!obj) return undefined;
  const out = options<ModelConfig>(w, obj, path, {});
  const protocol = w.string(obj.protocol, [...path, 'protocol']);
  if (protocol === 'command') {
    w.report([...path, 'protocol'], 'cannot be command: a per-model protocol picks another HTTP wire format for the same server; define a command provider under providers: instead');
  } else if (protocol !== undefined && !HTTP_PROTOCOLS.includes(protocol as ProtocolKind)) {
    w.report([...path, 'protocol'], `must be one of ${HTTP_PROTOCOLS.join(', ')}, got "${protocol}"`);
  } else if (protocol !== undefined) out.protocol = protocol as ProtocolKind;
  const p = price(w, obj.price, [...path, 'price']);
  if (p) out.price = p;
  const cw = w.number(obj.contextWindow, [...path, 'contextWindow'], { min: 1, integer: true, unit: 'tokens' });
  if (cw !== undefined) out.contextWindow = cw;
  return out;
}

function section<T>(w: Walker, v: unknown, path: PathSeg[], check: (key: string, v: unknown, p: PathSeg[]) => T | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  const obj = w.object(v, path);
  if (!obj) return out;
  for (const [k, item] of Object.entries(obj)) {
    if (FORBIDDEN_KEYS.has(k)) continue; // already reported; assigning it would replace out's prototype
    const r = check(k, item, [...path, k]);
    if (r !== undefined) out[k] = r;
  }
  return out;
}

function numbers(w: Walker, v: unknown, path: PathSeg[], keys: string[], rule: (k: string) => object): Record<string, number> {
  const out: Record<string, number> = {};
  const obj = w.object(v, path, keys);
  if (!obj) return out;
  for (const k of keys) {
    const n = w.number(obj[k], [...path, k], rule(k));
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** Check one config file's value. `file` is how problems name it; `locate` adds line numbers. */
export function validateConfig(value: unknown, file: string, locate?: Locate): { config: MmrConfig; problems: ConfigProblem[] } {
  const w = new Walker(file, locate);
  const config = emptyConfig();
  if (value === null || value === undefined) return { config, problems: [] };
  const top = w.object(value, [], TOP_KEYS);
  if (!top) return { config, problems: w.problems };

  w.string(top.$schema, ['$schema']);
  if (top.default != null) {
    const list = w.stringList(top.default, ['default'], { nonEmpty: true });
    const refs = list?.map((s, i) => modelRef(w, s, Array.isArray(top.default) ? ['default', i] : ['default']));
    if (refs && refs.every((r) => r !== undefined)) config.default = refs as string[];
  }
  // An alias may carry settings (`mini-cold: {model: openai:gpt-4o-mini, temperature: 0}`): the
  // name then means that model with those settings. They are kept as `models.<alias>`, where
  // per-alias settings already live, so every reader of `aliases` still sees name → model.
  const aliasSettings: Record<string, ModelConfig> = {};
  config.aliases = section(w, top.aliases, ['aliases'], (name, v, p) => {
    if (/[:\s{}=,]/.test(name) || name === '') {
      w.report(p, `alias "${name}" must be a short name without ":", spaces, "{", "}", "=" or "," (the colon marks provider:model ids, braces a model's settings)`, true);
      return undefined;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return modelRef(w, v, p);
    const entry = v as Record<string, unknown>;
    const target = modelRef(w, entry.model, [...p, 'model']);
    if (entry.model === undefined || entry.model === null) w.report(p, 'needs "model": the provider:model (or alias) it names, e.g. model: openai:gpt-4o-mini');
    const { model: _target, ...rest } = entry;
    const settings = model(w, rest, p);
    if (settings && Object.keys(settings).length) aliasSettings[name] = settings;
    return target;
  });
  config.models = section(w, top.models, ['models'], (id, v, p) => {
    const problem = modelIdProblem(id);
    if (problem && problem !== 'has no provider') w.report(p, `key is not a model id or alias: it ${problem}`, true);
    return model(w, v, p);
  });
  for (const [name, settings] of Object.entries(aliasSettings)) {
    const existing = Object.prototype.hasOwnProperty.call(config.models, name) ? config.models[name] : undefined;
    for (const k of Object.keys(settings)) {
      if (existing && k in existing) w.report(['aliases', name, k], `is also set in models.${name}; set it in one place`);
    }
    config.models[name] = { ...existing, ...settings };
  }
  config.providers = section(w, top.providers, ['providers'], (id, v, p) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
      w.report(p, `provider id "${id}" may use only letters, digits, ".", "_" and "-"`, true);
      return undefined;
    }
    return provider(w, id, v, p);
  });
  const opts = w.object(top.options, ['options'], OPTION_KEYS);
  if (opts) config.options = options(w, opts, ['options'], {});
  config.timeouts = numbers(w, top.timeouts, ['timeouts'], TIMEOUT_KEYS, () => ({ min: 0, unit: 'milliseconds, 0 disables' }));
  config.retries = numbers(w, top.retries, ['retries'], RETRY_KEYS, (k) =>
    k === 'maxRetries' ? { min: 0, integer: true } : { min: 0, unit: 'milliseconds' },
  );
  const limits = numbers(w, top.limits, ['limits'], Object.keys(LIMIT_RULES), (k) => ({ ...LIMIT_RULES[k], integer: true, unit: 'bytes' }));
  if (Object.keys(limits).length) config.limits = limits;
  if (top.rules != null) {
    if (Array.isArray(top.rules)) config.rules = [...top.rules];
    else w.report(['rules'], 'must be a list of rules');
  }
  // The learned router (`mmr learn`): its file and the quality/cost tradeoff.
  const learned = w.object(top.learned, ['learned'], ['file', 'tradeoff']);
  if (learned) {
    config.learned = {};
    const file = w.string(learned.file, ['learned', 'file'], { nonEmpty: true });
    if (file !== undefined) config.learned.file = file;
    const tradeoff = w.number(learned.tradeoff, ['learned', 'tradeoff'], { min: 0, max: 1 });
    if (tradeoff !== undefined) config.learned.tradeoff = tradeoff;
  }
  return { config, problems: sortByLine(w.problems) };
}

/** File order reads best; problems without a line keep their place at the end. */
function sortByLine(problems: ConfigProblem[]): ConfigProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || a.i - b.i)
    .map((x) => x.p);
}

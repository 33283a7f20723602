/**
 * From what the user typed (`haiku`, `openai:gpt-4o-mini`, `ollama:llama3.2:1b`) to everything
 * needed to call it. Pure: config and env are passed in, nothing is read from disk or process.
 * A missing key is not an error here: the adapter reports it as data for that one column.
 */
import { envNameFor, looksLikeApiKey } from '../config/checks.js';
import { didYouMean, suggest } from '../config/suggest.js';
import type { MmrConfig, ModelConfig } from '../config/types.js';
import { isResponsesOnly } from '../providers/capabilities.js';
import { azureEndpoint, envBaseUrl, getPreset, normalizeOllamaHost, PRESET_IDS, trimSlash } from '../providers/presets.js';
import type { ProtocolKind, ProviderSpec } from '../providers/provider.js';
import { UsageError } from './errors.js';
import type { ModelOptions, ResolvedModel } from './model.js';
import { formatVariantRef, splitVariantRef, variantOptions, type VariantValues } from './variants.js';

export interface ParsedModelId {
  /** Text before the first colon. */
  provider: string;
  /** Everything after the first colon, unchanged (may contain colons and slashes). */
  model: string;
}

const EXAMPLE = 'openai:gpt-4o-mini';
const PROVIDER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

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
  while (hasOwn(aliases, current)) {
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

/** ProviderSpec for a provider id: preset, then config `providers.<id>`, then env for key and base URL. */
export function resolveProvider(id: string, config: MmrConfig, env: NodeJS.ProcessEnv): ProviderSpec {
  const preset = getPreset(id);
  const pc = hasOwn(config.providers, id) ? config.providers[id] : undefined;
  const custom = Object.keys(config.providers).filter((k) => !getPreset(k));
  if (!preset && !pc) {
    const keyVar = envNameFor(id);
    throw new UsageError(
      `unknown provider "${id}"${didYouMean(id, [...PRESET_IDS, ...custom])}. ` +
        `Known providers: ${[...PRESET_IDS, ...custom].join(', ')}.`,
      `To use another server, define it in .routerrc:\n  providers:\n    ${id}:\n      protocol: openai   # or openai-responses, anthropic, gemini, ollama, command\n` +
        `      baseUrl: https://example.com/v1\n      keyEnv: ${keyVar}   # the variable's name, never the key`,
    );
  }
  const protocol = pc?.protocol ?? preset?.protocol;
  if (!protocol) {
    throw new UsageError(`provider "${id}" in config has no protocol`, `Set providers.${id}.protocol to openai, openai-responses, anthropic, gemini, ollama or command.`);
  }
  const keyEnv = pc?.keyEnv !== undefined ? (Array.isArray(pc.keyEnv) ? [...pc.keyEnv] : [pc.keyEnv]) : [...(preset?.keyEnv ?? [])];
  const apiKey = keyEnv.map((k) => env[k]?.trim()).find((v) => v);

  // Precedence: config (this project asked for it) > env var (this shell) > preset default.
  const azure = pc?.azure ?? preset?.azure === true;
  let baseUrl = pc?.baseUrl ?? (preset ? envBaseUrl(preset, env) ?? preset.baseUrl : '');
  baseUrl = protocol === 'ollama' && baseUrl ? normalizeOllamaHost(baseUrl) : azure ? azureEndpoint(baseUrl) : trimSlash(baseUrl);
  // A preset whose endpoint only the environment can give (Azure) is reported per column, like a missing key.
  const fromEnvOnly = preset !== undefined && preset.baseUrl === '' && preset.baseUrlEnv !== undefined;
  if (!baseUrl && protocol !== 'command' && !fromEnvOnly) {
    throw new UsageError(`provider "${id}" has no baseUrl`, `Set providers.${id}.baseUrl in .routerrc, e.g. https://example.com/v1`);
  }
  if (protocol === 'command' && !pc?.command?.length) {
    throw new UsageError(
      `provider "${id}" runs a local command, but config has no providers.${id}.command`,
      `Add the argv to .routerrc, e.g.\n  providers:\n    ${id}:\n      command: [llm, -m, "{model}"]`,
    );
  }
  const headers = { ...preset?.headers, ...pc?.headers };
  const spec: ProviderSpec = {
    id,
    protocol,
    baseUrl,
    keyEnv,
    // A custom provider that names a key variable expects a key; one that names none is local.
    needsKey: preset ? preset.needsKey : keyEnv.length > 0,
  };
  if (apiKey) spec.apiKey = apiKey;
  if (Object.keys(headers).length) spec.headers = headers;
  if (azure) {
    const apiVersion = pc?.apiVersion ?? (env.OPENAI_API_VERSION?.trim() || undefined);
    spec.azure = apiVersion ? { apiVersion } : {};
  }
  if (preset?.reasoningParam) spec.reasoningParam = preset.reasoningParam;
  if (pc?.command) spec.command = [...pc.command];
  if (pc?.env) spec.commandEnv = { ...pc.env };
  if (config.limits) spec.limits = { ...config.limits };
  return spec;
}

const OPTION_KEYS = ['temperature', 'maxTokens', 'topP', 'system', 'stop', 'reasoning'] as const;

/**
 * The protocol a model is spoken to in: its own `protocol` from config, else the Responses API
 * for models OpenAI serves only there, else its provider's. A command provider's models stay
 * commands and an HTTP provider's models stay HTTP: a model's protocol never changes where its
 * requests go, only the wire format on the same base URL with the same key.
 */
function modelProtocol(spec: ProviderSpec, model: string, configured: ProtocolKind | undefined, id: string): ProtocolKind {
  if (configured !== undefined) {
    if (spec.protocol === 'command' || configured === 'command') {
      throw new UsageError(
        `models.${id}.protocol: ${spec.protocol === 'command' ? `${spec.id} runs a local command, so its models cannot speak ${configured}` : 'a model cannot switch to command'}`,
        'a per-model protocol picks another HTTP wire format (openai, openai-responses, anthropic, gemini, ollama) for the same server',
      );
    }
    return configured;
  }
  if (spec.protocol === 'openai' && isResponsesOnly(spec.id, model)) return 'openai-responses';
  return spec.protocol;
}

/**
 * A resolved model with a variant's settings on top: its id (and alias) carry them, and they
 * win over every other layer, flags included. Settings it already had and that are not set again stay.
 */
export function applyVariant(model: ResolvedModel, values: VariantValues, readSystem?: (file: string) => string | undefined): ResolvedModel {
  const base = model.variantValues ? { ...model.variantValues, ...values } : values;
  const baseId = model.variantValues ? (splitVariantRef(model.id)?.base ?? model.id) : model.id;
  const settings = variantOptions(base, readSystem);
  const out: ResolvedModel = { ...model, id: formatVariantRef(baseId, base), options: { ...model.options, ...settings }, variant: settings, variantValues: base };
  if (model.alias) out.alias = formatVariantRef(model.variantValues ? (splitVariantRef(model.alias)?.base ?? model.alias) : model.alias, base);
  return out;
}

export interface ResolveOptions {
  /** Reads a variant's `system=@file` (relative to the cwd); undefined when it cannot. */
  readSystem?: (file: string) => string | undefined;
}

/**
 * Resolve an alias or `provider:model` against config and env. A variant (`ref{k=v,…}`) is its
 * base with those settings over every other layer; its id is the canonical base id with the
 * settings (`openai:gpt-4o-mini{temperature=0}`), so columns, votes and rows keep them.
 * Throws UsageError on bad input.
 */
export function resolveModel(ref: string, config: MmrConfig, env: NodeJS.ProcessEnv, opts: ResolveOptions = {}): ResolvedModel {
  const variant = splitVariantRef(ref);
  if (variant) return applyVariant(resolveModel(variant.base, config, env, opts), variant.values, opts.readSystem);
  const { id, chain } = expandAlias(ref, config.aliases);
  const { provider, model } = parseModelId(id);
  const spec = resolveProvider(provider, config, env);

  // Least to most specific: canonical id, then aliases from the innermost to the one typed.
  const layers: ModelConfig[] = [id, ...[...chain].reverse()]
    .filter((k) => hasOwn(config.models, k))
    .map((k) => config.models[k]);
  const options: ModelOptions = { ...config.options };
  const resolved: ResolvedModel = { id, provider: spec, model, options };
  let protocol: ProtocolKind | undefined;
  for (const layer of layers) {
    for (const k of OPTION_KEYS) if (layer[k] !== undefined) (options as Record<string, unknown>)[k] = layer[k];
    if (layer.price) resolved.price = { ...layer.price };
    if (layer.contextWindow !== undefined) resolved.contextWindow = layer.contextWindow;
    if (layer.protocol !== undefined) protocol = layer.protocol;
  }
  spec.protocol = modelProtocol(spec, model, protocol, id);
  if (options.stop) options.stop = [...options.stop];
  if (chain.length) resolved.alias = chain[0];
  return resolved;
}

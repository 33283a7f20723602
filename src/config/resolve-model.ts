/**
 * From what the user typed (`haiku`, `openai:gpt-4o-mini`, `ollama:llama3.2:1b`,
 * `fast{temperature=0}`) to everything needed to call it: alias expanded, provider resolved,
 * config options layered, protocol chosen. Pure: config and env are passed in, nothing is read
 * from disk or process.
 */
import { expandAlias, parseModelId } from './model-id.js';
import { resolveProvider } from './resolve-provider.js';
import type { MmrConfig, ModelConfig } from './types.js';
import { isResponsesOnly } from '../providers/capabilities.js';
import type { ProtocolKind, ProviderSpec } from '../providers/provider.js';
import { UsageError } from '../core/errors.js';
import type { ModelOptions, ResolvedModel } from '../core/model.js';
import { formatVariantRef, splitVariantRef, variantOptions, type VariantValues } from '../core/variants.js';

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
    .filter((k) => Object.hasOwn(config.models, k))
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

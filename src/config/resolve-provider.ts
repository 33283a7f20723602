/**
 * A provider id to a `ProviderSpec`: its preset, then config `providers.<id>`, then the
 * environment for the key and base URL. Pure: config and env are passed in. A missing key is not
 * an error here: the adapter reports it as data for that one column.
 */
import { envNameFor } from './checks.js';
import { didYouMean } from './suggest.js';
import type { MmrConfig } from './types.js';
import { azureEndpoint, envBaseUrl, getPreset, normalizeOllamaHost, PRESET_IDS, trimSlash } from '../providers/presets.js';
import type { ProviderSpec } from '../providers/provider.js';
import { UsageError } from '../core/errors.js';

/** ProviderSpec for a provider id: preset, then config `providers.<id>`, then env for key and base URL. */
export function resolveProvider(id: string, config: MmrConfig, env: NodeJS.ProcessEnv): ProviderSpec {
  const preset = getPreset(id);
  const pc = Object.hasOwn(config.providers, id) ? config.providers[id] : undefined;
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

/**
 * Providers as data. Adding an OpenAI-compatible host is one entry here, not a new adapter:
 * the protocol decides the adapter, the preset decides where it is and how it authenticates.
 * Config (`providers.<id>`) overrides any field; env vars supply keys and base URLs.
 */
import type { ProtocolKind, ReasoningParam } from './provider.js';

export interface ProviderPreset {
  /** The id users type before the colon (`openai:gpt-4o-mini`). */
  id: string;
  /** Human name for hints and tables. */
  label: string;
  protocol: ProtocolKind;
  /** Default API root, same shape as ProviderSpec.baseUrl. Empty for `command` (no server). */
  baseUrl: string;
  /** Env var that overrides the base URL (config `baseUrl` still wins over it). */
  baseUrlEnv?: string;
  /** Env vars consulted for the key, first set one wins. */
  keyEnv: string[];
  /** False for local servers: they answer without a key (the key env is then optional). */
  needsKey: boolean;
  /** Runs on the user's machine: no network cost, shown as "local" rather than an unknown price. */
  local: boolean;
  /** A cheap, current model for the no-config comparison set; absent when the server decides (local). */
  defaultModel?: string;
  /** Provider id in @pydantic/genai-prices, when it has prices for this provider. */
  pricesProvider?: string;
  /** Headers every request to this provider carries. */
  headers?: Record<string, string>;
  /** Azure OpenAI: deployment URLs, `api-key`, `api-version` (see ProviderSpec.azure). */
  azure?: boolean;
  /** How this OpenAI-compatible server takes a reasoning setting (default `reasoning_effort`). */
  reasoningParam?: ReasoningParam;
}

const LOCAL = { needsKey: false, local: true } as const;
const HOSTED = { needsKey: true, local: false } as const;

/** Order matters: it is the column order of the default comparison set and of hint lists. */
export const PRESETS: readonly ProviderPreset[] = [
  {
    id: 'openai', label: 'OpenAI', protocol: 'openai', ...HOSTED,
    // Same variable and shape (with /v1) as the official SDK, so existing setups just work.
    baseUrl: 'https://api.openai.com/v1', baseUrlEnv: 'OPENAI_BASE_URL',
    keyEnv: ['OPENAI_API_KEY'], defaultModel: 'gpt-4o-mini', pricesProvider: 'openai',
  },
  {
    id: 'anthropic', label: 'Anthropic', protocol: 'anthropic', ...HOSTED,
    // The Anthropic SDK's ANTHROPIC_BASE_URL has no /v1; the adapter appends /v1/messages.
    baseUrl: 'https://api.anthropic.com', baseUrlEnv: 'ANTHROPIC_BASE_URL',
    keyEnv: ['ANTHROPIC_API_KEY'], defaultModel: 'claude-haiku-4-5', pricesProvider: 'anthropic',
  },
  {
    id: 'gemini', label: 'Google Gemini', protocol: 'gemini', ...HOSTED,
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta', baseUrlEnv: 'GEMINI_BASE_URL',
    keyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], defaultModel: 'gemini-2.5-flash', pricesProvider: 'google',
  },
  {
    id: 'ollama', label: 'Ollama', protocol: 'ollama', ...LOCAL,
    // Optional key: Ollama behind an authenticating proxy, or ollama.com's hosted API.
    baseUrl: 'http://127.0.0.1:11434', baseUrlEnv: 'OLLAMA_HOST', keyEnv: ['OLLAMA_API_KEY'],
  },
  {
    id: 'lmstudio', label: 'LM Studio', protocol: 'openai', ...LOCAL,
    baseUrl: 'http://127.0.0.1:1234/v1', baseUrlEnv: 'LMSTUDIO_BASE_URL', keyEnv: ['LMSTUDIO_API_KEY'],
  },
  {
    id: 'vllm', label: 'vLLM', protocol: 'openai', ...LOCAL,
    baseUrl: 'http://127.0.0.1:8000/v1', baseUrlEnv: 'VLLM_BASE_URL', keyEnv: ['VLLM_API_KEY'],
  },
  {
    id: 'llamacpp', label: 'llama.cpp server', protocol: 'openai', ...LOCAL,
    baseUrl: 'http://127.0.0.1:8080/v1', baseUrlEnv: 'LLAMACPP_BASE_URL', keyEnv: ['LLAMACPP_API_KEY'],
  },
  {
    id: 'openrouter', label: 'OpenRouter', protocol: 'openai', ...HOSTED,
    baseUrl: 'https://openrouter.ai/api/v1', keyEnv: ['OPENROUTER_API_KEY'],
    // Not an OpenAI model: with both keys set, the default set should compare two different models.
    defaultModel: 'meta-llama/llama-3.3-70b-instruct', pricesProvider: 'openrouter',
    // OpenRouter attributes traffic by this header in its dashboard.
    headers: { 'X-Title': 'mmr' },
    reasoningParam: 'openrouter',
  },
  {
    id: 'groq', label: 'Groq', protocol: 'openai', ...HOSTED,
    baseUrl: 'https://api.groq.com/openai/v1', keyEnv: ['GROQ_API_KEY'],
    defaultModel: 'llama-3.1-8b-instant', pricesProvider: 'groq',
  },
  {
    id: 'together', label: 'Together AI', protocol: 'openai', ...HOSTED,
    baseUrl: 'https://api.together.xyz/v1', keyEnv: ['TOGETHER_API_KEY'],
    defaultModel: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', pricesProvider: 'together',
  },
  {
    id: 'deepseek', label: 'DeepSeek', protocol: 'openai', ...HOSTED,
    baseUrl: 'https://api.deepseek.com/v1', keyEnv: ['DEEPSEEK_API_KEY'],
    defaultModel: 'deepseek-chat', pricesProvider: 'deepseek',
  },
  {
    id: 'mistral', label: 'Mistral', protocol: 'openai', ...HOSTED,
    baseUrl: 'https://api.mistral.ai/v1', keyEnv: ['MISTRAL_API_KEY'],
    defaultModel: 'mistral-small-latest', pricesProvider: 'mistral',
  },
  {
    id: 'xai', label: 'xAI', protocol: 'openai', ...HOSTED,
    baseUrl: 'https://api.x.ai/v1', keyEnv: ['XAI_API_KEY'],
    defaultModel: 'grok-4-1-fast-non-reasoning', pricesProvider: 'x-ai',
  },
  {
    // Deployments are the user's own names, so there is no default model; the endpoint has no
    // default either: AZURE_OPENAI_ENDPOINT (https://<resource>.openai.azure.com) is required.
    id: 'azure', label: 'Azure OpenAI', protocol: 'openai', ...HOSTED,
    baseUrl: '', baseUrlEnv: 'AZURE_OPENAI_ENDPOINT', keyEnv: ['AZURE_OPENAI_API_KEY'], pricesProvider: 'azure', azure: true,
  },
  {
    // argv comes from config `providers.command.command`; nothing to call without it.
    id: 'command', label: 'local command', protocol: 'command', ...LOCAL, baseUrl: '', keyEnv: [],
  },
];

const BY_ID = new Map(PRESETS.map((p) => [p.id, p]));

export function getPreset(id: string): ProviderPreset | undefined {
  return BY_ID.get(id);
}

/** Preset ids in display order. */
export const PRESET_IDS: readonly string[] = PRESETS.map((p) => p.id);

const UNSPECIFIED = new Set(['0.0.0.0', '::', '[::]', '']);

/**
 * OLLAMA_HOST as Ollama itself reads it (`0.0.0.0:11434`, `localhost`, `:11434`, `http://h:p`,
 * `https://h/path`), turned into a URL a client can connect to. A bind-all address is where the
 * server listens, not where to connect, so it becomes 127.0.0.1.
 */
export function normalizeOllamaHost(value: string): string {
  let rest = value.trim();
  let scheme = 'http';
  let defaultPort = '11434';
  const sep = rest.indexOf('://');
  if (sep >= 0) {
    scheme = rest.slice(0, sep).toLowerCase();
    rest = rest.slice(sep + 3);
    // Ollama's rule: an explicit scheme implies that scheme's port, a bare host implies 11434.
    defaultPort = scheme === 'https' ? '443' : '80';
  }
  const slash = rest.indexOf('/');
  const path = slash >= 0 ? rest.slice(slash).replace(/\/+$/, '') : '';
  let hostport = slash >= 0 ? rest.slice(0, slash) : rest;
  // Credentials for an authenticating proxy ride along untouched.
  const at = hostport.lastIndexOf('@');
  const userinfo = at >= 0 ? hostport.slice(0, at + 1) : '';
  hostport = hostport.slice(at + 1);

  let host = hostport;
  let port = defaultPort;
  const v6 = /^\[([^\]]*)\](?::(\d*))?$/.exec(hostport);
  if (v6) {
    host = v6[1] === '::' || v6[1] === '' ? '' : `[${v6[1]}]`;
    if (v6[2]) port = v6[2];
  } else if ((hostport.match(/:/g) ?? []).length === 1) {
    const i = hostport.indexOf(':');
    host = hostport.slice(0, i);
    if (hostport.slice(i + 1)) port = hostport.slice(i + 1);
  } else if (hostport.includes(':')) {
    host = hostport === '::' ? '' : `[${hostport}]`; // bare IPv6 literal without port
  }
  if (UNSPECIFIED.has(host)) host = '127.0.0.1';
  const n = Number(port);
  if (!Number.isInteger(n) || n < 0 || n > 65535) port = defaultPort;
  return `${scheme}://${userinfo}${host}:${port}${path}`;
}

/** Base URL from the preset's env var, normalised, or undefined when the variable is unset/blank. */
export function envBaseUrl(preset: ProviderPreset, env: NodeJS.ProcessEnv): string | undefined {
  const raw = preset.baseUrlEnv ? env[preset.baseUrlEnv]?.trim() : undefined;
  if (!raw) return undefined;
  if (preset.protocol === 'ollama') return normalizeOllamaHost(raw);
  return preset.azure ? azureEndpoint(raw) : trimSlash(raw);
}

/** An Azure endpoint as the resource root: a pasted `…/openai` suffix is dropped (the v1 API's `…/openai/v1` is kept). */
export function azureEndpoint(url: string): string {
  return trimSlash(url).replace(/\/openai$/, '');
}

/** Trailing slashes dropped so adapters can append `/chat/completions` without doubling them. */
export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

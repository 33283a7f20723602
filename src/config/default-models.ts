/**
 * What to compare when the user names no models: the config's `default`, or else one cheap
 * model from every provider they can already call (a key in the environment), plus a local
 * Ollama if one is running. A newcomer with only OPENAI_API_KEY set gets a working first run.
 */
import { resolveProvider } from './resolve-provider.js';
import type { MmrConfig } from './types.js';
import { getPreset, PRESETS } from '../providers/presets.js';

export interface DefaultModels {
  /** Model ids or aliases, in column order. Empty when nothing can be called. */
  models: string[];
  /** `config`: the config's `default`; `env`: discovered from keys and a local server. */
  source: 'config' | 'env';
  /** One line each on how the set was chosen, for stderr (never a key). */
  notes: string[];
}

export interface DefaultModelsOptions {
  /** Used for the Ollama probe; inject for tests. Defaults to globalThis.fetch. */
  fetch?: typeof fetch;
  /** How long to wait for Ollama to answer, in ms. A local server answers in a few ms. */
  timeoutMs?: number;
  /** false: make no network call at all (`mmr route`, `mmr models --no-probe`). */
  probe?: boolean;
}

/** A URL for display: credentials in it (proxy setups) are masked. */
const redact = (url: string): string => url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, '$1***@');

/** How long the Ollama probe may take, in ms: short enough not to be felt at start-up. */
export const OLLAMA_PROBE_MS = 300;

/** First model a running Ollama lists at `GET {baseUrl}/api/tags`; `null` when it runs with none; undefined when it does not answer. */
export async function probeOllama(baseUrl: string, fetchImpl: typeof fetch, timeoutMs: number): Promise<string | null | undefined> {
  try {
    const res = await fetchImpl(`${baseUrl}/api/tags`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { models?: Array<{ name?: unknown; model?: unknown }> };
    if (!Array.isArray(body?.models)) return undefined;
    const first = body.models.map((m) => m?.name ?? m?.model).find((n): n is string => typeof n === 'string' && n !== '');
    return first ?? null;
  } catch {
    // Refused, timed out, not JSON: all mean "no usable Ollama here", which is not an error.
    return undefined;
  }
}

/** The default comparison set. Never throws for a provider that cannot be called; it is just left out. */
export async function defaultModels(config: MmrConfig, env: NodeJS.ProcessEnv, opts: DefaultModelsOptions = {}): Promise<DefaultModels> {
  if (config.default && config.default.length > 0) {
    return { models: [...config.default], source: 'config', notes: [] };
  }
  const models: string[] = [];
  const notes: string[] = [];
  for (const preset of PRESETS) {
    if (!preset.needsKey || !preset.defaultModel) continue;
    let spec;
    try {
      spec = resolveProvider(preset.id, config, env);
    } catch {
      continue; // a broken override for a provider the user did not ask for must not block the run
    }
    if (!spec.apiKey) continue;
    const keyVar = spec.keyEnv.find((k) => env[k]?.trim()) ?? spec.keyEnv[0];
    models.push(`${preset.id}:${preset.defaultModel}`);
    notes.push(`${keyVar} is set: comparing ${preset.id}:${preset.defaultModel}`);
  }

  if (opts.probe === false) return { models, source: 'env', notes };
  let ollamaUrl = getPreset('ollama')!.baseUrl;
  try {
    ollamaUrl = resolveProvider('ollama', config, env).baseUrl;
  } catch {
    // keep the default address
  }
  const found = await probeOllama(ollamaUrl, opts.fetch ?? globalThis.fetch, opts.timeoutMs ?? OLLAMA_PROBE_MS);
  if (typeof found === 'string') {
    models.push(`ollama:${found}`);
    notes.push(`Ollama answered at ${redact(ollamaUrl)}: comparing ollama:${found}`);
  } else if (found === null) {
    notes.push(`Ollama is running at ${redact(ollamaUrl)} but has no models; run \`ollama pull llama3.2\` to add one`);
  }
  return { models, source: 'env', notes };
}

/**
 * What to tell someone who has nothing mmr can call: the variables to set, the local server to
 * start, and that `mmr demo` works with neither.
 */
export function noProvidersHint(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const set = (name: string) => (platform === 'win32' ? `$env:${name}="..."` : `export ${name}=...`);
  const hosted = PRESETS.filter((p) => p.needsKey);
  const main = hosted.filter((p) => ['openai', 'anthropic', 'gemini'].includes(p.id));
  // Only providers a key alone makes callable (Azure also needs an endpoint and a deployment name).
  const others = hosted.filter((p) => !main.includes(p) && p.defaultModel).map((p) => p.keyEnv[0]);
  const width = Math.max(...main.map((p) => set(p.keyEnv[0]).length));
  const ollamaHost = env.OLLAMA_HOST?.trim();
  return [
    'mmr found no model to call: no API key is set and no local Ollama answered.',
    'Set a key for at least one provider:',
    ...main.map((p) => `  ${set(p.keyEnv[0]).padEnd(width)}   # ${p.label}`),
    `  (also read: ${others.join(', ')})`,
    'or start a local server:',
    '  ollama serve            # then: ollama pull llama3.2',
    `  (mmr looks for it at ${ollamaHost ? `OLLAMA_HOST=${redact(ollamaHost)}` : 'http://127.0.0.1:11434; set OLLAMA_HOST if it is elsewhere'})`,
    '  LM Studio, vLLM and llama.cpp servers work too: mmr ask -m lmstudio:<model> "..."',
    'or name models yourself with -m provider:model, or set `default:` in .routerrc.',
    'To see mmr work without any keys: mmr demo',
  ].join('\n');
}

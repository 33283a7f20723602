/**
 * The `providers.<id>` part of the `.routerrc` schema (schema.ts walks the rest): protocol, base
 * URL, the *name* of the key's environment variable (never a key: a value that looks like one is
 * refused without being echoed), headers, command providers, request limits and Azure settings.
 */
import { getPreset } from '../providers/presets.js';
import { HTTP_PROTOCOLS, type ProtocolKind } from '../providers/provider.js';
import { ENV_NAME, envNameFor, looksLikeApiKey, type PathSeg } from './checks.js';
import type { ProviderConfig } from './types.js';
import type { Walker } from './walker.js';

const PROVIDER_KEYS = ['protocol', 'baseUrl', 'keyEnv', 'headers', 'command', 'env', 'rpm', 'concurrency', 'azure', 'apiVersion'];
const PROTOCOLS: readonly ProtocolKind[] = [...HTTP_PROTOCOLS, 'command'];
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$|^(v1|latest|preview)$/;
const NO_KEYS_HERE =
  'mmr never reads API keys from config files (they get committed); put the key in an environment variable and name it with keyEnv, e.g. keyEnv: OPENAI_API_KEY';
const PROVIDER_SPECIAL: Record<string, string> = { apiKey: NO_KEYS_HERE, api_key: NO_KEYS_HERE, key: NO_KEYS_HERE, token: NO_KEYS_HERE };
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function keyEnv(w: Walker, v: unknown, path: PathSeg[]): string | string[] | undefined {
  const list = w.stringList(v, path, { nonEmpty: true });
  if (!list) return undefined;
  let ok = true;
  list.forEach((name, i) => {
    const at = Array.isArray(v) ? [...path, i] : path;
    // Never echo the value: if it is a key, the message would leak it to the terminal and CI logs.
    if (looksLikeApiKey(name) || !ENV_NAME.test(name)) {
      const why = looksLikeApiKey(name) ? 'looks like an API key itself' : 'is not an environment variable name';
      w.report(at, `${why}; keyEnv must name the variable that holds the key (e.g. OPENAI_API_KEY), and the key goes in your environment`);
      ok = false;
    }
  });
  if (!ok) return undefined;
  return typeof v === 'string' ? list[0] : list;
}

/** One `providers.<id>` entry: its keys, what each may hold, and what a custom provider needs. */
export function provider(w: Walker, id: string, v: unknown, path: PathSeg[]): ProviderConfig | undefined {
  const obj = w.object(v, path, PROVIDER_KEYS, PROVIDER_SPECIAL);
  if (!obj) return undefined;
  const out: ProviderConfig = {};
  const protocol = w.string(obj.protocol, [...path, 'protocol']);
  if (protocol !== undefined && !PROTOCOLS.includes(protocol as ProtocolKind)) {
    w.report([...path, 'protocol'], `must be one of ${PROTOCOLS.join(', ')}, got "${protocol}"`);
  } else if (protocol !== undefined) out.protocol = protocol as ProtocolKind;
  const baseUrl = w.string(obj.baseUrl, [...path, 'baseUrl'], { nonEmpty: true });
  if (baseUrl !== undefined) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(baseUrl).protocol);
    } catch {}
    if (ok) out.baseUrl = baseUrl;
    else w.report([...path, 'baseUrl'], 'must be an http:// or https:// URL, e.g. http://127.0.0.1:8000/v1');
  }
  const ke = keyEnv(w, obj.keyEnv, [...path, 'keyEnv']);
  if (ke !== undefined) out.keyEnv = ke;
  const headers = w.stringMap(obj.headers, [...path, 'headers']);
  if (headers) {
    for (const [name, value] of Object.entries(headers)) {
      if (!HEADER_NAME.test(name)) w.report([...path, 'headers', name], 'is not a valid HTTP header name', true);
      else if (looksLikeApiKey(value)) w.report([...path, 'headers', name], `looks like it holds a secret; put it in an env var and use keyEnv: ${envNameFor(id)}`);
    }
    out.headers = headers;
  }
  const command = w.stringList(obj.command, [...path, 'command'], { nonEmpty: true, single: false });
  if (command) out.command = command;
  const env = w.stringMap(obj.env, [...path, 'env']);
  if (env) out.env = env;
  // Request limits `mmr bench` keeps to for this provider.
  const rpm = w.number(obj.rpm, [...path, 'rpm'], { min: 1, integer: true });
  if (rpm !== undefined) out.rpm = rpm;
  const concurrency = w.number(obj.concurrency, [...path, 'concurrency'], { min: 1, integer: true });
  if (concurrency !== undefined) out.concurrency = concurrency;
  if (obj.azure !== undefined && obj.azure !== null) {
    if (typeof obj.azure === 'boolean') out.azure = obj.azure;
    else w.report([...path, 'azure'], 'must be true or false');
  }
  const apiVersion = w.string(obj.apiVersion, [...path, 'apiVersion'], { nonEmpty: true });
  if (apiVersion !== undefined && !API_VERSION.test(apiVersion)) w.report([...path, 'apiVersion'], `must be an Azure api-version such as 2024-10-21 or 2025-04-01-preview, got "${apiVersion}"`);
  else if (apiVersion !== undefined) out.apiVersion = apiVersion;

  const preset = getPreset(id);
  const effective = out.protocol ?? preset?.protocol;
  if (!preset && obj.protocol == null) {
    w.report(path, `"${id}" is not a built-in provider, so it needs protocol: one of ${PROTOCOLS.join(', ')}`, true);
  } else if (!preset && effective !== 'command' && obj.baseUrl == null) {
    w.report(path, `"${id}" is not a built-in provider, so it needs baseUrl, e.g. http://127.0.0.1:8000/v1`, true);
  }
  if (effective === 'command' && obj.command == null) {
    w.report(path, 'protocol command needs command: an argv list such as [llm, -m, "{model}"]', true);
  }
  return out;
}

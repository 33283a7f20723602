/**
 * A provider's own list of the models it serves, for `mmr models --all` and `mmr doctor` (where
 * a listing that answers is the proof that the key is accepted, with no paid call). One GET per
 * page, with the same redirect and credential rules as every request: OpenAI-compatible
 * `GET {baseUrl}/models` (Azure: `/openai/models?api-version=`), Anthropic `GET /v1/models`
 * (paginated), Gemini `models.list` (paginated), Ollama `GET /api/tags`.
 *
 * Everything in a listing is a server's word: the body is bounded, pages are bounded, and a
 * name is kept only when it is printable, short and could be typed after `provider:`.
 */
import type { ErrorInfo } from '../core/types.js';
import { keyHeaders } from './key-headers.js';
import { classifyHttpError, missingKeyInfo, sanitizeError } from './http-errors.js';
import { joinUrl, networkErrorInfo } from './http.js';
import { getJson, RedirectError } from './http-request.js';
import { openaiUrl } from './openai-urls.js';
import type { ProviderSpec, StreamOptions } from './provider.js';
import { decodeText, StreamReadError } from './body.js';
import type { WireResponse } from './transport.js';

/** One model a provider listed. */
export interface ListedModel {
  /** The name to use after `provider:` (Gemini's `models/` prefix removed). */
  id: string;
  /** Input context in tokens, when the listing says (Gemini inputTokenLimit). */
  contextWindow?: number;
}

export type Listing =
  | { ok: true; models: ListedModel[]; /** Names dropped because they were not printable, too long or had spaces. */ dropped: number }
  | { ok: false; error: ErrorInfo };

/** Largest listing body read, in bytes (OpenRouter's full listing is ~1.5 MB). */
export const MAX_LISTING_BYTES = 8 * 1024 * 1024;
/** Pages followed for a paginated listing. */
export const MAX_LISTING_PAGES = 20;
/** Models kept from one provider. */
export const MAX_LISTED_MODELS = 5000;
/** A usable model name: printable, no spaces or controls, at most 200 characters. */
const NAME = /^[\p{L}\p{N}\p{P}\p{S}]{1,200}$/u;

export interface ListOptions extends Pick<StreamOptions, 'fetch'> {
  signal?: AbortSignal;
  /** ms for the whole listing (every page). Default 8000. */
  timeoutMs?: number;
}

interface Page {
  url: string;
  headers: Record<string, string>;
}

type Parsed = { models: ListedModel[]; next?: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The protocol's listing: the first page, and how to read a page (and find the next). */
function plan(spec: ProviderSpec): { first: Page; parse: (json: unknown) => Parsed; nextPage?: (next: string) => Page } {
  switch (spec.protocol) {
    case 'anthropic': {
      const headers = keyHeaders(spec, 'application/json');
      const url = (after?: string) => `${joinUrl(spec.baseUrl, 'v1/models')}?limit=1000${after ? `&after_id=${encodeURIComponent(after)}` : ''}`;
      return {
        first: { url: url(), headers },
        parse: (json) => {
          const o = isObject(json) ? json : {};
          const models = arr(o.data).flatMap((m) => (isObject(m) && typeof m.id === 'string' ? [{ id: m.id }] : []));
          return { models, next: o.has_more === true && typeof o.last_id === 'string' ? o.last_id : undefined };
        },
        nextPage: (after) => ({ url: url(after), headers }),
      };
    }
    case 'gemini': {
      const headers = keyHeaders(spec, 'application/json');
      const url = (token?: string) => `${joinUrl(spec.baseUrl, 'models')}?pageSize=1000${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`;
      return {
        first: { url: url(), headers },
        parse: (json) => {
          const o = isObject(json) ? json : {};
          // Only models that generate text are models mmr can ask (not embedders, not Imagen).
          const models = arr(o.models).flatMap((m) => {
            if (!isObject(m) || typeof m.name !== 'string') return [];
            if (!arr(m.supportedGenerationMethods).some((g) => g === 'generateContent' || g === 'streamGenerateContent')) return [];
            const limit = typeof m.inputTokenLimit === 'number' && m.inputTokenLimit > 0 ? { contextWindow: m.inputTokenLimit } : {};
            return [{ id: m.name.replace(/^models\//, ''), ...limit }];
          });
          return { models, next: typeof o.nextPageToken === 'string' && o.nextPageToken ? o.nextPageToken : undefined };
        },
        nextPage: (token) => ({ url: url(token), headers }),
      };
    }
    case 'ollama': {
      const headers = keyHeaders(spec, 'application/json');
      return {
        first: { url: joinUrl(spec.baseUrl, 'api/tags'), headers },
        parse: (json) => ({
          models: arr(isObject(json) ? json.models : undefined).flatMap((m) => {
            const name = isObject(m) ? (m.name ?? m.model) : undefined;
            return typeof name === 'string' ? [{ id: name }] : [];
          }),
        }),
      };
    }
    default:
      // Chat Completions and the Responses API share OpenAI's listing.
      return {
        first: { url: openaiUrl(spec, 'models'), headers: keyHeaders(spec, 'application/json') },
        parse: (json) => ({ models: arr(isObject(json) ? json.data : undefined).flatMap((m) => (isObject(m) && typeof m.id === 'string' ? [{ id: m.id }] : [])) }),
      };
  }
}

async function readBounded(res: WireResponse, signal: AbortSignal): Promise<string> {
  if (!res.body) return '';
  let text = '';
  for await (const piece of decodeText(res.body, { signal, limits: { maxBodyBytes: MAX_LISTING_BYTES, maxEventChars: MAX_LISTING_BYTES } })) text += piece;
  return text;
}

function failure(spec: ProviderSpec, err: unknown, signal: AbortSignal, responded: boolean): ErrorInfo {
  if (signal.aborted) {
    return { kind: 'timeout', message: `${spec.id}: the models listing did not answer in time`, status: null, retryable: true, hint: 'check your network, or try again' };
  }
  if (err instanceof RedirectError) return { kind: 'bad-response', message: `${spec.id}: ${err.message}`, status: null, retryable: false, hint: 'check the base URL' };
  if (err instanceof StreamReadError || !responded) return networkErrorInfo(spec, err instanceof StreamReadError ? err.cause : err, responded ? 'stream' : 'connect');
  return { kind: 'bad-response', message: `${spec.id}: the models listing could not be read: ${err instanceof Error ? err.message : String(err)}`, status: null, retryable: false };
}

/** The provider's models; never throws. A provider that needs a key and has none is an error saying which to set. */
export async function listModels(spec: ProviderSpec, options: ListOptions = {}): Promise<Listing> {
  if (spec.protocol === 'command') return { ok: false, error: { kind: 'config', message: `${spec.id} runs a local command; it has no models listing`, status: null, retryable: false } };
  if (spec.needsKey && !spec.apiKey) return { ok: false, error: missingKeyInfo(spec) };
  if (!spec.baseUrl) return { ok: false, error: { kind: 'config', message: `no endpoint for provider ${spec.id}`, status: null, retryable: false, hint: spec.azure ? 'set AZURE_OPENAI_ENDPOINT' : `set providers.${spec.id}.baseUrl` } };
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 8000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const { first, parse, nextPage } = plan(spec);
  const models: ListedModel[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  let page: Page | undefined = first;
  for (let n = 0; page && n < MAX_LISTING_PAGES; n++) {
    let responded = false;
    let parsed: Parsed;
    try {
      const res = await getJson(page.url, page.headers, { signal, fetch: options.fetch });
      responded = true;
      const text = await readBounded(res, signal);
      if (res.status < 200 || res.status > 299) return { ok: false, error: classifyHttpError(spec, res.status, res.headers, text) };
      parsed = parse(JSON.parse(text));
    } catch (err) {
      return { ok: false, error: sanitizeError(spec, failure(spec, err, signal, responded)) };
    }
    for (const m of parsed.models) {
      if (!NAME.test(m.id)) dropped++;
      else if (!seen.has(m.id) && models.length < MAX_LISTED_MODELS) {
        seen.add(m.id);
        models.push(m);
      }
    }
    page = parsed.next && nextPage ? nextPage(parsed.next) : undefined;
  }
  return { ok: true, models, dropped };
}

/**
 * The POST itself. Redirects are followed here rather than by the transport, because fetch drops
 * only `Authorization` when a redirect leaves the origin: `x-api-key`, `x-goog-api-key` and
 * headers from config would follow to wherever a server (or a man in the middle of plain HTTP)
 * points. Credentials in a base URL (`https://user:pass@host`) become Basic auth and never stay
 * in the URL. The request goes out over mmr's node:http transport, or an injected fetch.
 */
import { splitUrlCredentials } from '../core/redact.js';
import type { StreamOptions } from './provider.js';
import { fetchRequest, nodeRequest, type WireRequest, type WireResponse } from './transport.js';

/** Redirects followed before giving up (fetch's own limit is 20; an API needs one or two). */
export const MAX_REDIRECTS = 10;

/** Headers that may follow a redirect to another origin: only ones that describe the body. */
const CROSS_ORIGIN_SAFE = new Set(['content-type', 'accept', 'anthropic-version']);

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/** A redirect mmr will not follow: a loop, a Location that is not an http(s) URL. */
export class RedirectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedirectError';
  }
}

/** Responses that came from another origin than the one asked, with that origin (for hints). */
const crossed = new WeakMap<WireResponse, string>();

/** The origin a response came from when a redirect took the request there from another one. */
export const crossOriginOf = (res: WireResponse): string | undefined => crossed.get(res);

/** One request; `onSent` fires as it is written (each hop of a redirect again: the last one answers). */
function send(url: string, r: WireRequest, options: StreamOptions): Promise<WireResponse> {
  return options.fetch ? fetchRequest(options.fetch, url, r) : nodeRequest(url, r);
}

function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * POST a JSON body with the injected fetch, following up to MAX_REDIRECTS redirects as fetch
 * would (307/308 keep method and body; 303, and 301/302 after a POST, continue as GET), except
 * that once the request leaves its origin it carries only CROSS_ORIGIN_SAFE headers. Rejects on
 * network failure like fetch does, and with a RedirectError for a redirect it will not follow.
 */
export function postJson(url: string, headers: Record<string, string>, body: unknown, options: StreamOptions): Promise<WireResponse> {
  return request(url, headers, JSON.stringify(body), options);
}

/** GET with the same redirect and credential rules as postJson (models listings, `mmr doctor`). */
export function getJson(url: string, headers: Record<string, string>, options: StreamOptions): Promise<WireResponse> {
  return request(url, headers, undefined, options);
}

async function request(url: string, headers: Record<string, string>, body: string | undefined, options: StreamOptions): Promise<WireResponse> {
  const bare = splitUrlCredentials(url);
  let h: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = v;
  if (bare.username !== undefined && h.authorization === undefined) h.authorization = basicAuth(bare.username, bare.password ?? '');
  let target = bare.url;
  let method = body === undefined ? 'GET' : 'POST';
  let payload: string | undefined = body;
  let origin: string | undefined;
  try {
    origin = new URL(target).origin;
  } catch {
    // fetch rejects it with its own invalid-URL error, which the caller already explains
  }
  const firstOrigin = origin;
  let left = false;
  for (let hop = 0; ; hop++) {
    const res = await send(target, { method, headers: h, body: payload, signal: options.signal, onSent: options.onSent }, options);
    const location = REDIRECT.has(res.status) ? res.headers.get('location') : null;
    if (location === null) {
      if (left && origin) crossed.set(res, origin);
      return res;
    }
    res.cancel();
    if (hop >= MAX_REDIRECTS) throw new RedirectError(`more than ${MAX_REDIRECTS} redirects, starting at ${firstOrigin}`);
    let next: URL;
    try {
      next = new URL(location, target);
    } catch {
      throw new RedirectError(`redirected to an invalid URL by ${origin}`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new RedirectError(`redirected to a ${next.protocol} URL by ${origin}; only http and https are followed`);
    // Credentials in a Location are never used: a server cannot pick where Basic auth goes.
    next.username = '';
    next.password = '';
    if (next.origin !== origin) {
      h = Object.fromEntries(Object.entries(h).filter(([k]) => CROSS_ORIGIN_SAFE.has(k)));
      origin = next.origin;
      left = true;
    }
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      payload = undefined;
      delete h['content-type'];
    }
    target = next.toString();
  }
}

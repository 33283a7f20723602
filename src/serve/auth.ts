/**
 * Who may use the server. On loopback with no token, only this machine's own programs: requests
 * from a browser page on another origin (CSRF) or through a DNS name that was rebound to
 * 127.0.0.1 are refused by their Origin and Host headers. With a token (required to bind any
 * other address), every request presents it as a bearer token or `x-api-key`, compared in
 * constant time. What a client sends as a key is never forwarded to a provider.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { UsageError } from '../core/errors.js';
import type { ClientError } from './types.js';

/** Shorter tokens are refused: a network-reachable server needs one that cannot be guessed. */
export const MIN_TOKEN_CHARS = 16;

/** Whether `host` (a bind address or a Host header's name) is this machine's loopback. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return /^::ffff:127\./.test(h);
}

/** The hostname of a Host header (`127.0.0.1:8787`, `[::1]:8787`, `localhost`). */
export function hostName(header: string): string {
  const v6 = /^\[([^\]]*)\]/.exec(header);
  if (v6) return v6[1];
  const i = header.lastIndexOf(':');
  return i >= 0 ? header.slice(0, i) : header;
}

export interface AccessPolicy {
  /** SHA-256 of the token; undefined: no token, loopback only. */
  tokenDigest?: Buffer;
}

/** The policy for a bind address and token; throws UsageError when a non-loopback bind has no usable token. */
export function accessPolicy(host: string, token: string | undefined): AccessPolicy {
  const t = token?.trim();
  if (t && t.length < MIN_TOKEN_CHARS) {
    throw new UsageError(`the serve token is too short (${t.length} characters; at least ${MIN_TOKEN_CHARS})`, 'make one with `openssl rand -hex 24` and pass it in MMR_SERVE_TOKEN');
  }
  if (!t && !isLoopback(host)) {
    throw new UsageError(
      `refusing to listen on ${host} without a token: anyone who can reach it could spend your API keys`,
      'set MMR_SERVE_TOKEN (or --token) to a secret of 16+ characters; clients then send it as their API key. Or listen on 127.0.0.1.',
    );
  }
  return t ? { tokenDigest: digest(t) } : {};
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** The key the client presented: `Authorization: Bearer …` (OpenAI SDK) or `x-api-key` (Anthropic SDK). */
function presented(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  const key = req.headers['x-api-key'];
  return typeof key === 'string' ? key.trim() : undefined;
}

const denied = (status: number, type: ClientError['type'], message: string): ClientError => ({ status, type, message, ...(status === 401 ? { code: 'invalid_api_key' } : {}) });

/** null when the request may proceed, else the error to answer with. */
export function checkAccess(req: IncomingMessage, policy: AccessPolicy): ClientError | null {
  if (policy.tokenDigest) {
    const key = presented(req);
    // Digests have equal length, so the comparison takes the same time whatever was sent.
    if (key === undefined || !timingSafeEqual(digest(key), policy.tokenDigest)) {
      return denied(401, 'authentication', key === undefined ? 'missing API key: send the mmr serve token as a bearer token or x-api-key' : 'invalid API key: this is not the mmr serve token');
    }
    return null;
  }
  const host = req.headers.host;
  if (typeof host !== 'string' || !isLoopback(hostName(host))) {
    return denied(403, 'permission', 'Host header is not a loopback name; mmr serve without a token answers only http://127.0.0.1 / localhost');
  }
  const origin = req.headers.origin;
  if (typeof origin === 'string') {
    let ok = false;
    try {
      ok = isLoopback(new URL(origin).hostname);
    } catch {
      ok = false;
    }
    if (!ok) return denied(403, 'permission', `requests from web pages (Origin ${origin.slice(0, 100)}) are refused; mmr serve has no CORS`);
  }
  return null;
}

/**
 * Secrets never reach a message: API keys and the credentials of a URL (`https://user:pass@host`)
 * are masked wherever they appear, including a key cut short by a truncation ("sk-abc…"), so a
 * message may be shortened before or after masking without leaking a prefix. Pure: no IO.
 */

/** Shorter values are not treated as secrets: a placeholder key like "x" would garble every message. */
export const MIN_SECRET_LENGTH = 6;
/** A cut-off key prefix this long or longer before "…" (or at the very end) is masked too. */
const MIN_PREFIX = 4;

/** `scheme://userinfo@`: greedy to the last "@" before the path, as the WHATWG URL parser reads it. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/** A URL for display: `http://user:pass@host/v1` → `http://***@host/v1`; anything else unchanged. */
export function redactUrl(url: string): string {
  return redactUrlsIn(url);
}

/** Every URL with credentials inside `text`, masked (see redactUrl). */
export function redactUrlsIn(text: string): string {
  return text.includes('@') ? text.replace(URL_CREDENTIALS, '$1***@') : text;
}

/** A URL without its credentials, and those credentials (percent-decoded) when it had any. */
export function splitUrlCredentials(url: string): { url: string; username?: string; password?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url };
  }
  if (!u.username && !u.password) return { url };
  const username = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return { url: u.toString(), username, password };
}

/** The secrets a URL carries, for masking: the password (raw and decoded) and the whole userinfo. */
export function urlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  if (!u.password) return u.username ? [u.username, decodeURIComponent(u.username)] : [];
  return [u.password, decodeURIComponent(u.password), `${u.username}:${u.password}`];
}

/**
 * `text` with every secret replaced by `***`, then with URL credentials masked. A prefix of a
 * secret that a truncation left just before "…" or at the end of the text is masked as well.
 */
export function maskSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const raw of secrets) {
    const s = raw?.trim();
    if (!s || s.length < MIN_SECRET_LENGTH) continue;
    if (out.includes(s)) out = out.split(s).join('***');
    out = maskCutPrefix(out, s);
  }
  return redactUrlsIn(out);
}

function maskCutPrefix(text: string, secret: string): string {
  for (let k = secret.length - 1; k >= MIN_PREFIX; k--) {
    const prefix = secret.slice(0, k);
    if (text.includes(`${prefix}…`)) return text.split(`${prefix}…`).join('***…');
    if (text.endsWith(prefix)) return `${text.slice(0, -k)}***`;
  }
  return text;
}

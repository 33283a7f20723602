/**
 * Reading provider error envelopes and making short, one-line excerpts of bodies that are not
 * what we expected. Kept apart from classification so both the HTTP path and mid-stream error
 * events share one reader.
 */

/** What an error envelope said, whichever provider wrote it. */
export interface ErrorFields {
  /** Human-readable message. */
  message?: string;
  /** String `error.code` (OpenAI `invalid_api_key`, Azure `RateLimitReached`). */
  code?: string;
  /** `error.type` (OpenAI `invalid_request_error`, Anthropic `overloaded_error`). */
  type?: string;
  /** Google's canonical status (`RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`). */
  status?: string;
  /** Google's `google.rpc.ErrorInfo.reason` (`API_KEY_INVALID`). */
  reason?: string;
  /** Google's `google.rpc.RetryInfo.retryDelay`, in ms. */
  retryDelayMs?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function googleDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return m ? Math.round(Number.parseFloat(m[1]) * 1000) : undefined;
}

/**
 * Shapes handled: `{error:{message,type,code}}` (OpenAI and compatibles, Azure),
 * `{type:"error",error:{type,message}}` (Anthropic), `{error:{code,message,status,details}}`
 * (Gemini, sometimes wrapped in an array), `{error:"…"}` (Ollama), `{message}` / `{detail}`.
 */
export function readErrorFields(payload: unknown): ErrorFields {
  const p = Array.isArray(payload) ? payload[0] : payload;
  if (!isObject(p)) return {};
  const e = p.error;
  if (typeof e === 'string') return { message: e };
  if (!isObject(e)) return { message: str(p.message) ?? str(p.detail) };
  const f: ErrorFields = { message: str(e.message), code: str(e.code), type: str(e.type), status: str(e.status) };
  for (const d of Array.isArray(e.details) ? e.details : []) {
    if (!isObject(d)) continue;
    if (!f.reason && str(d.reason)) f.reason = str(d.reason);
    const t = str(d['@type']) ?? '';
    if (t.endsWith('google.rpc.RetryInfo')) f.retryDelayMs = googleDuration(d.retryDelay);
  }
  return f;
}

/** Collapses whitespace so a message stays on one line, and bounds its length. */
export function oneLine(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A short description of an unexpected body: an HTML page's title, else its first characters. */
export function excerpt(text: string, max = 120): string {
  if (/^\s*<(!doctype|html|head|body|\?xml)/i.test(text) || /<\/(html|body|title)>/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
    const inner = title?.trim() || text.replace(/<[^>]*>/g, ' ');
    return `an HTML page: "${oneLine(inner, max)}"`;
  }
  const flat = oneLine(text, max);
  return flat ? `"${flat}"` : 'an empty body';
}

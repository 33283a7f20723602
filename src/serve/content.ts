/**
 * Message content as both wire formats write it: a string, or a list of typed parts. Text parts
 * become the engine's text, inline images (OpenAI `image_url` data URLs, Anthropic base64 `image`
 * blocks) the message's images, checked by their bytes like `-f` files; every other part (image
 * URLs mmr would have to fetch, audio, files, tool calls and results) is recorded as something
 * only the raw same-protocol path can carry.
 */
import { imageInput, imagesProblem, MAX_IMAGE_BYTES } from '../core/image.js';
import type { ChatMessage, ImageInput } from '../core/types.js';
import type { ModelOptions } from '../core/model.js';
import { badRequest, type ClientProtocol, type ParsedChat } from './types.js';

/** What a request holds that the translation cannot carry, or carries only by dropping it. */
export class RawNeeds {
  /** Fields or parts that change the answer: a raw same-protocol upstream, or a 400. */
  readonly needs: string[] = [];
  /** Fields the translation drops without changing the meaning (kept on the raw path). */
  readonly prefers: string[] = [];
  need(what: string): void {
    if (this.needs.length < 20) this.needs.push(what);
  }
  prefer(what: string): void {
    if (this.prefers.length < 20 && !this.prefers.includes(what)) this.prefers.push(what);
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a wire sorts the top-level fields of a request body. */
export interface FieldKinds {
  /** Carried by the translation. */
  translated: ReadonlySet<string>;
  /** Bookkeeping for the caller's side (or meaningless without tools): dropped. */
  ignored: ReadonlySet<string>;
  /** Change what the answer is: raw same-protocol upstream only. Anything else unknown: dropped on the translated path. */
  meaningful: ReadonlySet<string>;
  /** Values at which a field changes nothing. */
  noOp: Record<string, (v: unknown) => boolean>;
}

/** Checks the body is an object with a model, and records which of its fields need the raw path. */
export function scanBody(body: unknown, kinds: FieldKinds, modelHint: string): { body: Record<string, unknown>; model: string; raw: RawNeeds } {
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model === '') throw badRequest(modelHint, 'model');
  const raw = new RawNeeds();
  for (const [k, v] of Object.entries(body)) {
    if (kinds.translated.has(k) || kinds.ignored.has(k) || v === undefined || v === null || kinds.noOp[k]?.(v)) continue;
    if (kinds.meaningful.has(k)) raw.need(k);
    else raw.prefer(k);
  }
  return { body, model: body.model, raw };
}

/** Part types that are media (their 400 says images are not translated yet, rather than "tools"). */
const MEDIA = new Set(['image_url', 'image', 'input_audio', 'file', 'document']);

/** The text of one part, or null when it is not text (recorded in `raw`). */
function partText(part: unknown, param: string, raw: RawNeeds): string | null {
  if (!isObject(part) || typeof part.type !== 'string') throw badRequest(`${param} must be an object with a string "type"`, param);
  if (part.type === 'text') {
    if (typeof part.text !== 'string') throw badRequest(`${param}.text must be a string`, `${param}.text`);
    if (part.cache_control !== undefined) raw.prefer('cache_control');
    if (part.citations !== undefined) raw.prefer('citations');
    return part.text;
  }
  const remote = part.type === 'image_url' || (part.type === 'image' && !(isObject(part.source) && part.source.type === 'base64'));
  raw.need(remote ? `image URL (${param}; only inline base64 images are translated)` : MEDIA.has(part.type) ? `${part.type} content (${param})` : `${part.type} (${param})`);
  return null;
}

const DATA_URL = /^data:([\w.+/-]+);base64,/i;

/** An inline image from base64, checked: it must decode to a PNG, JPEG, GIF or WebP within the size bound. */
function inlineImage(base64: string, param: string, n: number): ImageInput {
  if (base64.length > Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 4) throw badRequest(`${param}: the image is over ${MAX_IMAGE_BYTES / 2 ** 20} MiB`, param);
  const image = imageInput(Buffer.from(base64, 'base64'), `image ${n}`);
  if (!image) throw badRequest(`${param}: not a PNG, JPEG, GIF or WebP image (judged by its bytes)`, param);
  return image;
}

/**
 * An image part as the engine can carry it, or null when only the raw path can (a URL to fetch:
 * mmr never fetches a URL a client names).
 */
function partImage(part: Record<string, unknown>, param: string, raw: RawNeeds, n: number): ImageInput | null {
  if (part.type === 'image_url') {
    const iu = isObject(part.image_url) ? part.image_url : undefined;
    const url = typeof iu?.url === 'string' ? iu.url : typeof part.image_url === 'string' ? part.image_url : undefined;
    if (url === undefined) throw badRequest(`${param}.image_url.url must be a string`, `${param}.image_url`);
    const m = DATA_URL.exec(url);
    if (!m) return null;
    if (iu?.detail !== undefined && iu.detail !== 'auto') raw.prefer('image_url.detail');
    return inlineImage(url.slice(m[0].length), `${param}.image_url`, n);
  }
  const source = isObject(part.source) ? part.source : undefined;
  if (source?.type !== 'base64' || typeof source.data !== 'string') return null;
  if (part.cache_control !== undefined) raw.prefer('cache_control');
  return inlineImage(source.data, `${param}.source`, n);
}

/** A user turn's content: its text (text parts joined) and its inline images, in order. */
export function contentParts(content: unknown, param: string, raw: RawNeeds): { text: string; images: ImageInput[] } {
  if (!Array.isArray(content)) return { text: contentText(content, param, raw), images: [] };
  const texts: string[] = [];
  const images: ImageInput[] = [];
  content.forEach((part, i) => {
    const p = `${param}[${i}]`;
    if (isObject(part) && (part.type === 'image_url' || part.type === 'image')) {
      const image = partImage(part, p, raw, images.length + 1);
      if (image) return void images.push(image);
    }
    const t = partText(part, p, raw);
    if (t !== null) texts.push(t);
  });
  const problem = imagesProblem(images);
  if (problem) throw badRequest(`${param}: ${problem}`, param);
  return { text: texts.join('\n'), images };
}

/** A user message, with its images when it has any. */
export function userMessage(content: unknown, param: string, raw: RawNeeds): ChatMessage {
  const { text, images } = contentParts(content, param, raw);
  return images.length ? { role: 'user', content: text, images } : { role: 'user', content: text };
}

/** The text of a message's `content`: a string, or the text parts joined. */
export function contentText(content: unknown, param: string, raw: RawNeeds, opts: { allowNull?: boolean } = {}): string {
  if (typeof content === 'string') return content;
  if ((content === null || content === undefined) && opts.allowNull) return '';
  if (!Array.isArray(content)) throw badRequest(`${param} must be a string or an array of content parts`, param);
  const texts: string[] = [];
  content.forEach((part, i) => {
    const t = partText(part, `${param}[${i}]`, raw);
    if (t !== null) texts.push(t);
  });
  // OpenAI concatenates text parts; joining with a newline keeps words from running together.
  return texts.join('\n');
}

/** A number field within bounds, or undefined when absent (null counts as absent, as the APIs treat it). */
export function numberField(body: Record<string, unknown>, key: string, opts: { min?: number; max?: number; int?: boolean } = {}): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  const ok = typeof v === 'number' && Number.isFinite(v) && (!opts.int || Number.isInteger(v)) && (opts.min === undefined || v >= opts.min) && (opts.max === undefined || v <= opts.max);
  if (!ok) {
    const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : ''].filter(Boolean).join(' and ');
    throw badRequest(`${key} must be ${opts.int ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}`, key);
  }
  return v;
}

/** Stop sequences: a string or a list of strings (at most `max`). */
export function stopField(v: unknown, key: string, max: number): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string') || list.length > max) {
    throw badRequest(`${key} must be a string or a list of at most ${max} strings`, key);
  }
  return list.length ? (list as string[]) : undefined;
}

/** The last user turn's text, for routing and the log. */
export function lastUserText(messages: { role: string; content: string }[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return messages[i].content;
  return '';
}

/** The parsed request, once a wire has read messages and options out of the scanned body. */
export function parsedChat(
  protocol: ClientProtocol,
  scan: ReturnType<typeof scanBody>,
  messages: ChatMessage[],
  options: ModelOptions,
  includeUsage: (stream: boolean) => boolean = () => false,
): ParsedChat {
  const { body, model, raw } = scan;
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') throw badRequest('stream must be a boolean', 'stream');
  const stream = body.stream === true;
  return { protocol, model, stream, includeUsage: includeUsage(stream), messages, options, routeText: lastUserText(messages), needsRaw: raw.needs, prefersRaw: raw.prefers, body };
}

/**
 * What a model is known not to take, checked before anything is sent: a reasoning setting it has
 * no knob for, images it cannot see or that exceed its provider's limits, and request fields a
 * protocol has no place for. The refusal is that column's error; the other models answer.
 */
import type { ErrorInfo, ImageInput, ModelRequest } from '../core/types.js';
import { modelFacts } from './capabilities.js';
import { formatSize } from './limits.js';
import type { ProviderSpec } from './provider.js';
import { reasoningProblem } from './reasoning.js';

/** Per-provider image limits, from each API's documentation. */
interface ImageLimits {
  /** One image's base64, in characters. */
  perImageBase64?: number;
  /** Every image of the request together, base64 characters. */
  totalBase64?: number;
  /** Images in one request. */
  count?: number;
  /** Media types the API refuses. */
  refuses?: readonly string[];
}

const MB = 1024 * 1024;
const LIMITS: Partial<Record<ProviderSpec['protocol'], ImageLimits>> = {
  anthropic: { perImageBase64: 5 * MB, count: 100 },
  gemini: { totalBase64: 20 * 1000 * 1000, refuses: ['image/gif'] },
  openai: { totalBase64: 50 * MB, count: 500 },
  'openai-responses': { totalBase64: 50 * MB, count: 500 },
};

const refuse = (message: string, hint: string, code = 'images_unsupported'): ErrorInfo => ({ kind: 'config', message, status: null, retryable: false, code, hint });

function imagesOf(request: ModelRequest): ImageInput[] {
  const out: ImageInput[] = [];
  for (const m of request.messages) if (m.images) out.push(...m.images);
  return out;
}

function imageProblem(spec: ProviderSpec, request: ModelRequest, images: ImageInput[]): ErrorInfo | null {
  const id = `${spec.id}:${request.model}`;
  const what = images.length === 1 ? `the image ${images[0].name}` : `${images.length} images`;
  if (spec.protocol === 'command') return refuse(`${id} runs a local command, which takes text only; ${what} cannot be sent to it`, 'drop -f for images, or compare only models that take images');
  if (modelFacts(request.model).images === false) {
    return refuse(`${id} does not take images; ${what} not sent`, 'compare it on text only, or pick a model that takes images (e.g. openai:gpt-4o-mini, anthropic:claude-haiku-4-5, gemini:gemini-2.5-flash)');
  }
  const limits = LIMITS[spec.protocol];
  if (!limits) return null;
  const refused = images.find((i) => limits.refuses?.includes(i.mediaType));
  if (refused) return refuse(`${id}: ${spec.id} does not take ${refused.mediaType} images (${refused.name})`, 'convert it to PNG or JPEG');
  if (limits.count !== undefined && images.length > limits.count) return refuse(`${id}: ${spec.id} takes at most ${limits.count} images in one request, got ${images.length}`, 'attach fewer images');
  const big = limits.perImageBase64 !== undefined ? images.find((i) => i.base64.length > limits.perImageBase64!) : undefined;
  if (big) {
    return refuse(`${id}: ${big.name} is ${formatSize(big.bytes)}, ${formatSize(big.base64.length)} as base64, over ${spec.id}'s limit of ${formatSize(limits.perImageBase64!)} of base64 per image`, 'scale it down or compress it');
  }
  const total = images.reduce((n, i) => n + i.base64.length, 0);
  if (limits.totalBase64 !== undefined && total > limits.totalBase64) {
    return refuse(`${id}: the images come to ${formatSize(total)} as base64, over the ${formatSize(limits.totalBase64)} ${spec.id} takes in one request`, 'attach fewer or smaller images');
  }
  return null;
}

/** The refusal for this request on this provider, or null when nothing known stands in its way. */
export function requestProblem(spec: ProviderSpec, request: ModelRequest): ErrorInfo | null {
  const reasoning = reasoningProblem(spec, request);
  if (reasoning) return reasoning;
  const images = imagesOf(request);
  if (images.length) {
    const problem = imageProblem(spec, request, images);
    if (problem) return problem;
  }
  if (spec.protocol === 'openai-responses' && request.stop?.length) {
    return refuse(`${spec.id}:${request.model} uses the Responses API, which has no stop sequences`, 'remove stop from this model\'s options (config models.<id>.stop or options.stop)', 'stop_unsupported');
  }
  return null;
}

/**
 * Images as mmr takes them in: the type from the file's first bytes (never its name), bounded
 * in size and count, encoded once. An ImageInput serialises without its bytes (`toJSON`), so
 * bench rows, vote logs and cache keys carry the SHA-256 and size, never megabytes of base64.
 */
import { createHash } from 'node:crypto';
import type { ImageInput, ImageMediaType } from './types.js';

/** One image, in bytes: above every provider's own limit (OpenAI 20 MB, Anthropic 5 MB, Gemini 20 MB a request). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** Images in one prompt. */
export const MAX_IMAGES = 20;
/** All images of one prompt together, in bytes. */
export const MAX_TOTAL_IMAGE_BYTES = 50 * 1024 * 1024;

/** The image type from magic bytes; null when the bytes are not a PNG, JPEG, GIF or WebP. */
export function sniffImage(b: Uint8Array): ImageMediaType | null {
  const at = (i: number, ...bytes: number[]) => bytes.every((x, k) => b[i + k] === x);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38) && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61) return 'image/gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return null;
}

/** Image formats mmr recognises but no provider API takes inline, with what to do instead. */
export function unsupportedImage(b: Uint8Array): string | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (ascii(4, 8) === 'ftyp' && /^(heic|heix|hevc|mif1|msf1|avif)$/.test(ascii(8, 12))) return `a ${ascii(8, 12) === 'avif' ? 'AVIF' : 'HEIC'} image`;
  if (ascii(0, 2) === 'BM') return 'a BMP image';
  if ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a)) return 'a TIFF image';
  return null;
}

/** `image.png`, `photo.JPG`: a name that says image, for a clearer message when the bytes disagree. */
export const looksLikeImageName = (name: string): boolean => /\.(png|jpe?g|gif|webp|heic|heif|avif|bmp|tiff?)$/i.test(name);

/** The bytes as an ImageInput (base64 and hash computed once), or null when they are not an image mmr takes. */
export function imageInput(bytes: Uint8Array, name: string): ImageInput | null {
  const mediaType = sniffImage(bytes);
  if (!mediaType) return null;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const image: ImageInput = {
    mediaType,
    base64: buf.toString('base64'),
    bytes: buf.length,
    name,
    sha256: createHash('sha256').update(buf).digest('hex'),
  };
  // Logs, rows and cache keys get the facts, not the bytes.
  Object.defineProperty(image, 'toJSON', { value: () => ({ mediaType, bytes: image.bytes, name, sha256: image.sha256 }), enumerable: false });
  return image;
}

/** Why these images cannot go together (too many, too large in all), or null. Single images are checked as they are read. */
export function imagesProblem(images: readonly ImageInput[]): string | null {
  if (images.length > MAX_IMAGES) return `${images.length} images; mmr sends at most ${MAX_IMAGES} with one prompt`;
  const total = images.reduce((n, i) => n + i.bytes, 0);
  if (total > MAX_TOTAL_IMAGE_BYTES) return `the images come to ${(total / 2 ** 20).toFixed(1)} MiB; mmr sends at most ${MAX_TOTAL_IMAGE_BYTES / 2 ** 20} MiB of images with one prompt`;
  return null;
}

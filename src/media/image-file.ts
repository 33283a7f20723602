/**
 * Reading an image file for a prompt (`mmr ask -f`, a bench case's `images:`): judged by its
 * first bytes, never its name, and read whole only when it is an image within the size bound.
 * Returns what it found; the caller words the error for its own flag or file.
 */
import { open } from 'node:fs/promises';
import { imageInput, MAX_IMAGE_BYTES, sniffImage, unsupportedImage } from '../core/image.js';
import type { ImageInput } from '../core/types.js';

export type ImageFile =
  | { kind: 'image'; image: ImageInput }
  /** Not an image: the caller may read it as text. */
  | { kind: 'not-image' }
  /** An image mmr cannot send (a format no API takes inline, or too large), or a file that cannot be read. */
  | { kind: 'refused'; problem: string; hint: string };

const why = (err: NodeJS.ErrnoException) =>
  err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : String(err.message);

export async function readImageFile(file: string, name = file): Promise<ImageFile> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    return { kind: 'refused', problem: why(err as NodeJS.ErrnoException), hint: 'check the path' };
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) return { kind: 'refused', problem: 'is a directory', hint: 'name a file' };
    if (!info.isFile()) return { kind: 'not-image' };
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    const magic = head.subarray(0, bytesRead);
    const other = unsupportedImage(magic);
    if (other) return { kind: 'refused', problem: `${other}, which model APIs do not take`, hint: 'convert it to PNG, JPEG or WebP first' };
    if (!sniffImage(magic)) return { kind: 'not-image' };
    if (info.size > MAX_IMAGE_BYTES) {
      return { kind: 'refused', problem: `the image is ${(info.size / 2 ** 20).toFixed(1)} MiB; mmr sends images of at most ${MAX_IMAGE_BYTES / 2 ** 20} MiB`, hint: 'scale it down or compress it' };
    }
    const image = imageInput(await handle.readFile(), name);
    return image ? { kind: 'image', image } : { kind: 'not-image' };
  } catch (err) {
    return { kind: 'refused', problem: why(err as NodeJS.ErrnoException), hint: 'check the file' };
  } finally {
    await handle.close();
  }
}

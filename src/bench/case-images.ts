/**
 * A case's `images:` read onto its first user turn, relative to its prompt file. One attacher
 * serves one file: an image named by many of its cases is read once. Every problem names the
 * case and the image. The image modules load only when a case names an image.
 */
import path from 'node:path';
import { CaseError } from './case-error.js';
import type { BenchCase } from './types.js';

type ReadImage = typeof import('../media/image-file.js').readImageFile;

export function imageAttacher(dir: string): (c: BenchCase) => Promise<BenchCase> {
  let mods: Promise<[ReadImage, typeof import('../core/image.js').imagesProblem]> | undefined;
  const read = new Map<string, ReturnType<ReadImage>>();
  return async (c) => {
    if (!c.imageFiles) return c;
    mods ??= Promise.all([import('../media/image-file.js'), import('../core/image.js')]).then(([a, b]) => [a.readImageFile, b.imagesProblem]);
    const [readImageFile, imagesProblem] = await mods;
    const images = [];
    for (const name of c.imageFiles) {
      const abs = path.resolve(dir, name);
      if (!read.has(abs)) read.set(abs, readImageFile(abs, name));
      const found = await read.get(abs)!;
      if (found.kind === 'refused') throw new CaseError(c.where, `images: ${name}: ${found.problem} (${found.hint})`);
      if (found.kind === 'not-image') throw new CaseError(c.where, `images: ${name} is not a PNG, JPEG, GIF or WebP image (judged by its bytes)`);
      images.push(found.image);
    }
    const problem = imagesProblem(images);
    if (problem) throw new CaseError(c.where, `images: ${problem}`);
    const last = c.messages[c.messages.length - 1];
    c.messages = [...c.messages.slice(0, -1), { ...last, images }];
    return c;
  };
}

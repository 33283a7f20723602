import { UsageError } from '../core/errors.js';
import type { ImageInput } from '../core/types.js';

/** Bytes of input inspected for NUL bytes when deciding whether it is binary. */
const BINARY_SNIFF_BYTES = 8192;

/** Reads all of a stream into one string; chunks are joined once, so 10 MB stays linear. */
export async function readAll(stream: NodeJS.ReadableStream, what = 'stdin'): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const buf = Buffer.concat(chunks);
  if (buf.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
    throw new UsageError(`${what} looks like binary data (it contains NUL bytes)`, 'send text; for a file, attach a text file or convert it first');
  }
  return buf.toString('utf8');
}

/**
 * The prompt: the arguments are the instruction, and stdin (when it is not a terminal) is
 * appended after a blank line as the material it applies to (`git diff | mmr ask "review this"`).
 */
export async function readPrompt(words: string[], stdin: NodeJS.ReadStream & { isTTY?: boolean } = process.stdin, allowEmpty = false): Promise<string> {
  const arg = words.join(' ').trim();
  const piped = stdin.isTTY ? '' : (await readAll(stdin)).replace(/\s+$/, '');
  const prompt = arg && piped ? `${arg}\n\n${piped}` : arg || piped;
  if (!prompt.trim() && !allowEmpty) {
    throw new UsageError('no prompt given', 'pass it as an argument (mmr ask "…") or on stdin (echo "…" | mmr ask)');
  }
  return prompt;
}

/** The prompt with what `-f` attached: text files inside the text, images apart. */
export interface Attached {
  text: string;
  images: ImageInput[];
}

function fileError(file: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((err as Error).message);
  return new UsageError(`-f ${file}: ${why}`, 'check the path given to -f/--file');
}

/**
 * Attaches files: an image (PNG, JPEG, GIF, WebP, judged by its bytes, never its name) goes with
 * the prompt as an image; any other file is text after the prompt, fenced and named, so the model
 * knows where each begins.
 */
export async function attachFiles(prompt: string, files: string[] = []): Promise<Attached> {
  if (files.length === 0) return { text: prompt, images: [] };
  const { createReadStream } = await import('node:fs');
  const parts = [prompt];
  const images: ImageInput[] = [];
  const { readImageFile } = await import('../media/image-file.js');
  for (const file of files) {
    const found = await readImageFile(file);
    if (found.kind === 'image') {
      images.push(found.image);
      continue;
    }
    if (found.kind === 'refused') throw new UsageError(`-f ${file}: ${found.problem}`, found.hint === 'check the path' ? 'check the path given to -f/--file' : found.hint);
    let body: string;
    try {
      body = await readAll(createReadStream(file), file);
    } catch (err) {
      if (err instanceof UsageError) {
        const { looksLikeImageName } = await import('../core/image.js');
        if (looksLikeImageName(file)) throw new UsageError(`-f ${file}: not a PNG, JPEG, GIF or WebP image (judged by its bytes, not its name)`, 'check the file; mmr reads images by their content');
        throw err;
      }
      throw fileError(file, err);
    }
    parts.push(`--- ${file} ---\n${body.replace(/\s+$/, '')}\n--- end of ${file} ---`);
  }
  const { imagesProblem } = await import('../core/image.js');
  const problem = imagesProblem(images);
  if (problem) throw new UsageError(`-f: ${problem}`, 'attach fewer or smaller images');
  return { text: parts.filter(Boolean).join('\n\n'), images };
}

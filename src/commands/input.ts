import { UsageError } from '../core/errors.js';

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

/** Attaches files after the prompt, each fenced and named, so the model knows where each begins. */
export async function attachFiles(prompt: string, files: string[] = []): Promise<string> {
  if (files.length === 0) return prompt;
  const { createReadStream } = await import('node:fs');
  const parts = [prompt];
  for (const file of files) {
    let body: string;
    try {
      body = await readAll(createReadStream(file), file);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((err as Error).message);
      throw new UsageError(`-f ${file}: ${why}`, 'check the path given to -f/--file');
    }
    parts.push(`--- ${file} ---\n${body.replace(/\s+$/, '')}\n--- end of ${file} ---`);
  }
  return parts.filter(Boolean).join('\n\n');
}

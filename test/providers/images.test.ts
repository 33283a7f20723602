/**
 * Images: recognised by their bytes, encoded once, written into each provider's own shape, kept
 * out of logs and cache keys, and refused per model where a model or provider is known not to
 * take them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attachFiles } from '../../src/commands/input.js';
import { cacheKey } from '../../src/bench/cache.js';
import { imageInput, imagesProblem, MAX_IMAGE_BYTES, sniffImage } from '../../src/core/image.js';
import type { ModelRequest } from '../../src/core/types.js';
import type { ResolvedModel } from '../../src/core/model.js';
import { anthropicRequest } from '../../src/providers/anthropic.js';
import { geminiRequest } from '../../src/providers/gemini.js';
import { ollamaRequest } from '../../src/providers/ollama.js';
import { openaiRequest } from '../../src/providers/openai-compatible.js';
import type { ProviderSpec } from '../../src/providers/provider.js';
import { requestProblem } from '../../src/providers/request-check.js';
import { specFor } from './support.js';

export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([26, 0, 0, 0]), Buffer.from('WEBPVP8L'), Buffer.alloc(14)]);
const HEIC = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(12)]);

const png = imageInput(PNG, 'dot.png')!;
const ask = (model: string, images = [png], text = 'what is this?'): ModelRequest => ({ model, messages: [{ role: 'user', content: text, images }] });
const body = (b: unknown) => b as Record<string, any>;

describe('recognising images', () => {
  it('by magic bytes, whatever the name', () => {
    expect([PNG, JPEG, GIF, WEBP].map(sniffImage)).toEqual(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
    expect(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImage(HEIC)).toBeNull();
  });

  it('encodes once; JSON of it carries the hash and size, never the bytes', () => {
    expect(png).toMatchObject({ mediaType: 'image/png', bytes: PNG.length, base64: PNG.toString('base64'), name: 'dot.png' });
    expect(png.sha256).toMatch(/^[0-9a-f]{64}$/);
    const json = JSON.stringify({ messages: [{ role: 'user', content: 'x', images: [png] }] });
    expect(json).not.toContain(png.base64);
    expect(JSON.parse(json).messages[0].images[0]).toEqual({ mediaType: 'image/png', bytes: PNG.length, name: 'dot.png', sha256: png.sha256 });
  });

  it('bounds how many and how much go with one prompt', () => {
    expect(imagesProblem(Array(21).fill(png))).toContain('at most 20');
    const big = { ...png, bytes: 30 * 2 ** 20 };
    expect(imagesProblem([big, big])).toContain('at most 50 MiB');
    expect(imagesProblem([png, png])).toBeNull();
  });
});

describe('-f attaches images apart and text inside the prompt', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mmr-images-'));
  const file = (name: string, bytes: Buffer | string) => {
    const f = path.join(dir, name);
    writeFileSync(f, bytes);
    return f;
  };

  it('an image (even named .txt) goes to images; a text file is fenced into the prompt', async () => {
    const a = await attachFiles('Describe both.', [file('shot.txt', PNG), file('notes.md', 'line one\n')]);
    expect(a.images.map((i) => [i.mediaType, i.name])).toEqual([['image/png', path.join(dir, 'shot.txt')]]);
    expect(a.text).toBe(`Describe both.\n\n--- ${path.join(dir, 'notes.md')} ---\nline one\n--- end of ${path.join(dir, 'notes.md')} ---`);
  });

  it('refuses a file named like an image that is not one, an image format APIs do not take, and one too large', async () => {
    await expect(attachFiles('x', [file('fake.png', Buffer.from([0, 1, 2, 3, 0]))])).rejects.toThrow(/fake\.png: not a PNG, JPEG, GIF or WebP image \(judged by its bytes/);
    await expect(attachFiles('x', [file('photo.heic', HEIC)])).rejects.toThrow(/a HEIC image, which model APIs do not take/);
    const huge = Buffer.alloc(MAX_IMAGE_BYTES + 1);
    PNG.copy(huge);
    await expect(attachFiles('x', [file('huge.png', huge)])).rejects.toThrow(/the image is 20\.0 MiB; mmr sends images of at most 20 MiB/);
    await expect(attachFiles('x', [path.join(dir, 'missing.png')])).rejects.toThrow(/missing\.png: no such file/);
  });
});

describe('each provider\'s image shape', () => {
  it('OpenAI: text then image_url data URL parts; text-only turns stay strings', () => {
    const b = body(openaiRequest(specFor('openai', 'http://x'), { ...ask('gpt-4o-mini'), messages: [{ role: 'user', content: 'plain' }, ...ask('gpt-4o-mini').messages] }).body);
    expect(b.messages).toEqual([
      { role: 'user', content: 'plain' },
      { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${png.base64}` } }] },
    ]);
  });

  it('Anthropic: base64 image blocks, then the text', () => {
    expect(body(anthropicRequest(specFor('anthropic', 'http://x'), ask('claude-haiku-4-5')).body).messages[0].content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png.base64 } },
      { type: 'text', text: 'what is this?' },
    ]);
  });

  it('Gemini: the text part, then inlineData', () => {
    expect(body(geminiRequest(specFor('gemini', 'http://x'), ask('gemini-2.5-flash')).body).contents[0].parts).toEqual([
      { text: 'what is this?' },
      { inlineData: { mimeType: 'image/png', data: png.base64 } },
    ]);
    expect(body(geminiRequest(specFor('gemini', 'http://x'), ask('gemini-2.5-flash', [png], '')).body).contents[0].parts).toEqual([{ inlineData: { mimeType: 'image/png', data: png.base64 } }]);
  });

  it('Ollama: bare base64 in the message\'s images', () => {
    expect(body(ollamaRequest(specFor('ollama', 'http://x'), ask('llava')).body).messages[0]).toEqual({ role: 'user', content: 'what is this?', images: [png.base64] });
  });
});

describe('refused per model, before anything is sent', () => {
  it('a model known not to take images, a command provider, and each provider\'s own limits', () => {
    expect(requestProblem(specFor('openai', 'http://x'), ask('gpt-3.5-turbo'))).toMatchObject({ kind: 'config', code: 'images_unsupported', message: 'openai:gpt-3.5-turbo does not take images; the image dot.png not sent' });
    const cmd: ProviderSpec = { id: 'llm', protocol: 'command', baseUrl: '', keyEnv: [], needsKey: false, command: ['llm'] };
    expect(requestProblem(cmd, ask('x'))!.message).toContain('takes text only');
    const gif = imageInput(GIF, 'anim.gif')!;
    expect(requestProblem(specFor('gemini', 'http://x'), ask('gemini-2.5-flash', [gif]))!.message).toContain('does not take image/gif');
    const big = { ...png, base64: 'A'.repeat(6 * 2 ** 20), bytes: 4.5 * 2 ** 20 };
    expect(requestProblem(specFor('anthropic', 'http://x'), ask('claude-haiku-4-5', [big]))!.message).toContain("over anthropic's limit of 5 MiB of base64 per image");
    // Unknown models get the image; the provider decides.
    expect(requestProblem(specFor('openai', 'http://x'), ask('some-new-vision-model'))).toBeNull();
    expect(requestProblem(specFor('ollama', 'http://x'), ask('llava:13b'))).toBeNull();
  });
});

describe('the bench cache key', () => {
  const model = { id: 'openai:gpt-4o-mini', model: 'gpt-4o-mini', provider: specFor('openai', 'http://x'), options: {} } as ResolvedModel;
  it('holds a hash of the image, changes with its bytes, and stays the same for text-only requests', () => {
    const other = imageInput(Buffer.concat([PNG, Buffer.from([0])]), 'dot.png')!;
    const k1 = cacheKey(model, ask('gpt-4o-mini', [png]));
    expect(cacheKey(model, ask('gpt-4o-mini', [imageInput(PNG, 'renamed.png')!]))).toBe(k1);
    expect(cacheKey(model, ask('gpt-4o-mini', [other]))).not.toBe(k1);
    expect(cacheKey(model, ask('gpt-4o-mini', []))).toBe(cacheKey(model, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'what is this?' }] }));
  });
});

describe('bench cases with images:', () => {
  it('read relative to the prompt file onto the first user turn (one read per file); a missing or non-image file names the case', async () => {
    const { loadPromptFile } = await import('../../src/bench/load.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'mmr-bench-images-'));
    writeFileSync(path.join(dir, 'dot.png'), PNG);
    writeFileSync(path.join(dir, 'notes.txt'), 'not an image');
    const f = path.join(dir, 'cases.yaml');
    writeFileSync(f, '- id: a\n  prompt: one\n  images: dot.png\n- id: b\n  messages: [{role: user, content: hi}, {role: assistant, content: yo}, {role: user, content: two}]\n  images: [dot.png, dot.png]\n- id: c\n  prompt: none\n');
    const [a, b, c] = await loadPromptFile(f, 'cases.yaml');
    expect(a.messages).toEqual([{ role: 'user', content: 'one', images: [expect.objectContaining({ mediaType: 'image/png', name: 'dot.png' })] }]);
    expect(b.messages.map((m) => m.images?.length ?? 0)).toEqual([0, 0, 2]);
    expect(c.messages[0].images).toBeUndefined();
    writeFileSync(f, '- id: a\n  prompt: one\n  images: [gone.png]\n');
    await expect(loadPromptFile(f, 'cases.yaml')).rejects.toThrow(/cases\.yaml:1: images: gone\.png: no such file/);
    writeFileSync(f, '- id: a\n  prompt: one\n  images: [notes.txt]\n');
    await expect(loadPromptFile(f, 'cases.yaml')).rejects.toThrow(/images: notes\.txt is not a PNG, JPEG, GIF or WebP image/);
    writeFileSync(f, '- id: a\n  prompt: one\n  images: {x: 1}\n');
    await expect(loadPromptFile(f, 'cases.yaml')).rejects.toThrow(/"images" must be a file path or a list of them/);
  });
});

describe('images in the terminal UI\'s turns', () => {
  it('go on the user turn that asked the prompt they came with, in its first turn and in the history of follow-ups', async () => {
    const { withImagesOn } = await import('../../src/commands/interactive.js');
    const first = [{ role: 'user' as const, content: 'what is this?' }];
    expect(withImagesOn(first, 'what is this?', [png])[0].images).toEqual([png]);
    const later = [...first, { role: 'assistant' as const, content: 'a dot' }, { role: 'user' as const, content: 'what colour?' }];
    expect(withImagesOn(later, 'what is this?', [png]).map((m) => m.images?.length ?? 0)).toEqual([1, 0, 0]);
    expect(withImagesOn(later, 'other prompt', [png])).toBe(later);
    expect(withImagesOn(first, 'what is this?', undefined)).toBe(first);
  });
});

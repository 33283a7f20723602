/**
 * The batch endpoints of the mock server (OpenAI, Anthropic, Gemini), behind one entry that
 * server.ts calls before its generation routes: it checks the key as the live endpoints do and
 * answers 404 for protocols configured as having no batch API.
 */
import type { IncomingMessage } from 'node:http';
import { MockBatchEngine } from './batch-jobs.js';
import { OpenAIBatchApi } from './batch-openai.js';
import { AnthropicBatchApi } from './batch-anthropic.js';
import { GeminiBatchApi, GEMINI_BATCH_PATH } from './batch-gemini.js';
import type { Encoded, BatchProtocol, MockRequestInfo, MockServerOptions } from './types.js';

/** Bytes of one batch request body or upload the mock reads (the providers' own limits are lower). */
const MAX_BATCH_BODY = 512 * 1024 * 1024;

export interface BatchDeps {
  options: MockServerOptions;
  record: (info: MockRequestInfo) => void;
  /** The server's base URL (results URLs point back at it). */
  url: () => string;
  /** An auth error in the protocol's own shape, or null when the key is right. */
  auth: (protocol: BatchProtocol, req: IncomingMessage) => Encoded | null;
  notFound: (protocol: BatchProtocol, message: string) => Encoded;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BATCH_BODY) throw new Error('batch body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export function batchRoutes(d: BatchDeps) {
  const engine = new MockBatchEngine(d.options, d.record);
  const cfg = () => d.options.batch ?? {};
  const openai = new OpenAIBatchApi(engine, cfg);
  const anthropic = new AnthropicBatchApi(engine, cfg, () => `${d.url()}/anthropic`);
  const gemini = new GeminiBatchApi(engine, cfg);
  const protocolOf = (p: string): BatchProtocol | null => {
    if (/^\/openai\/v1\/(files|batches)(\/|$)/.test(p)) return 'openai';
    if (/^\/anthropic\/v1\/messages\/batches(\/|$)/.test(p)) return 'anthropic';
    if (GEMINI_BATCH_PATH.test(p) || /^\/gemini\/v1beta\/batches\//.test(p)) return 'gemini';
    return null;
  };
  return {
    engine,
    /** The answer for a batch endpoint, or null when the path is not one. */
    async handle(req: IncomingMessage, url: URL): Promise<Encoded | null> {
      const p = url.pathname.replace(/\/+$/, '');
      const protocol = protocolOf(p);
      if (!protocol) return null;
      if (cfg().unsupported?.includes(protocol)) return d.notFound(protocol, `Invalid URL (${req.method} ${url.pathname})`);
      const denied = d.auth(protocol, req);
      if (denied) return denied;
      const method = req.method ?? 'GET';
      const read = () => readAll(req);
      const path = req.url ?? '';
      const got =
        protocol === 'openai'
          ? await openai.route(method, p, read, String(req.headers['content-type'] ?? ''), req.headers, path)
          : protocol === 'anthropic'
            ? await anthropic.route(method, p, read, req.headers, path)
            : await gemini.route(method, p, read, req.headers, path);
      return got ?? d.notFound(protocol, `Invalid URL (${method} ${url.pathname})`);
    },
  };
}

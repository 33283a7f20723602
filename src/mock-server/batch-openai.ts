/**
 * OpenAI's Files and Batch endpoints as api.openai.com serves them: `POST /v1/files`
 * (multipart, purpose `batch`, at most 200 MB), `GET /v1/files/{id}[/content]`,
 * `DELETE /v1/files/{id}`, `POST /v1/batches` (input_file_id, endpoint, completion_window
 * `24h`), `GET /v1/batches/{id}`, `POST /v1/batches/{id}/cancel`. Input lines are validated as
 * OpenAI does (JSON, unique custom_id, method POST, url = the endpoint, one model, at most
 * 50,000 requests; a bad input fails the job with `errors.data[{code, message, line}]`); answers
 * go to the output file, non-2xx answers and expired requests to the error file.
 */
import { randomId } from './text.js';
import { errorResponse } from './errors.js';
import { ENDED_MOCK, type MockBatchEngine, type MockItem, type MockJob } from './batch-jobs.js';
import type { Encoded, MockBatchOptions } from './types.js';

interface MockFile {
  id: string;
  bytes: number;
  filename: string;
  purpose: string;
  created_at: number;
  content: Buffer;
}

const ENDPOINTS = new Set(['/v1/chat/completions', '/v1/responses', '/v1/embeddings', '/v1/completions', '/v1/moderations']);
const json = (status: number, v: unknown): Encoded => ({ status, headers: { 'content-type': 'application/json' }, frames: [JSON.stringify(v, null, 2)], chunked: false });
const err = (status: number, message: string, code: string | null = null) => errorResponse('openai', status, message, { code });
const secs = (ms: number | undefined) => (ms === undefined ? null : Math.floor(ms / 1000));

export class OpenAIBatchApi {
  private files = new Map<string, MockFile>();
  constructor(
    private readonly engine: MockBatchEngine,
    private readonly cfg: () => MockBatchOptions,
  ) {}

  private limits() {
    const l = this.cfg().limits?.openai ?? {};
    return { maxRequests: l.maxRequests ?? 50_000, maxBytes: l.maxBytes ?? 200 * 1024 * 1024 };
  }

  private fileObject(f: MockFile) {
    return { id: f.id, object: 'file', bytes: f.bytes, created_at: f.created_at, filename: f.filename, purpose: f.purpose, status: 'processed', status_details: null };
  }

  async upload(contentType: string, body: Buffer): Promise<Encoded> {
    let form: FormData;
    try {
      form = await new Request('http://mock.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body) }).formData();
    } catch {
      return err(400, 'Invalid multipart form data');
    }
    const purpose = form.get('purpose');
    const file = form.get('file');
    if (typeof purpose !== 'string' || !file || typeof file === 'string') return err(400, "Missing required parameter: 'file' or 'purpose'.");
    if (purpose !== 'batch' && purpose !== 'fine-tune' && purpose !== 'assistants') return err(400, `'${purpose}' is not one of ['fine-tune', 'assistants', 'batch', 'user_data', 'evals', 'vision'] - 'purpose'`);
    const content = Buffer.from(await file.arrayBuffer());
    if (purpose === 'batch' && content.length > this.limits().maxBytes) return err(400, `File is too large. The maximum size for files with purpose 'batch' is ${this.limits().maxBytes} bytes.`);
    const f: MockFile = { id: randomId('file-', 22), bytes: content.length, filename: file.name || 'upload.jsonl', purpose, created_at: Math.floor(Date.now() / 1000), content };
    this.files.set(f.id, f);
    return json(200, this.fileObject(f));
  }

  /** Reads and validates an input file into the job's requests, or the reason the job fails. */
  private parseInput(f: MockFile, endpoint: string): { items: MockItem[]; model: string; failure?: MockJob['failure'] } {
    const items: MockItem[] = [];
    const seen = new Set<string>();
    let model = '';
    const lines = f.content.toString('utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i].trim();
      if (!text) continue;
      const fail = (message: string, code = 'invalid_request') => ({ items, model, failure: { code, message, line: i + 1 } });
      let v: any;
      try {
        v = JSON.parse(text);
      } catch {
        return fail('This line is not parseable as valid JSON.', 'invalid_json_line');
      }
      if (typeof v?.custom_id !== 'string' || v.custom_id === '') return fail("Missing required parameter: 'custom_id'.", 'missing_required_parameter');
      if (seen.has(v.custom_id)) return fail(`The custom_id '${v.custom_id}' is duplicated. Each request in the batch must have a unique custom_id.`, 'duplicate_custom_id');
      if (v.method !== 'POST') return fail("The 'method' must be 'POST'.", 'invalid_method');
      if (v.url !== endpoint) return fail(`The 'url' of each request must match the batch's endpoint '${endpoint}'.`, 'mismatched_url');
      if (typeof v.body?.model !== 'string') return fail("Missing required parameter: 'body.model'.", 'missing_required_parameter');
      if (model && v.body.model !== model) return fail(`The batch input file must contain requests for a single model; found '${model}' and '${v.body.model}'.`, 'mismatched_model');
      if (v.body.stream === true) return fail('Streaming is not supported in batch requests.', 'invalid_request');
      model = v.body.model;
      seen.add(v.custom_id);
      items.push({ key: v.custom_id, body: v.body, model: v.body.model });
    }
    if (items.length === 0) return { items, model, failure: { code: 'empty_file', message: 'The batch input file is empty.' } };
    if (items.length > this.limits().maxRequests) return { items, model, failure: { code: 'too_many_requests', message: `The batch input file has ${items.length} requests; the maximum is ${this.limits().maxRequests}.` } };
    return { items, model };
  }

  create(body: any, headers: MockJob['headers'], path: string): Encoded {
    if (typeof body?.input_file_id !== 'string') return err(400, "Missing required parameter: 'input_file_id'.", 'missing_required_parameter');
    if (!ENDPOINTS.has(body.endpoint)) return err(400, `Invalid value for 'endpoint': '${body.endpoint}'.`, 'invalid_value');
    if (body.completion_window !== '24h') return err(400, "Invalid value for 'completion_window': only '24h' is supported.", 'invalid_value');
    const f = this.files.get(body.input_file_id);
    if (!f) return err(404, `No such File object: ${body.input_file_id}`);
    if (f.purpose !== 'batch') return err(400, `The file ${f.id} was not uploaded with purpose 'batch'.`);
    const parsed = this.parseInput(f, body.endpoint);
    const job = this.engine.create('openai', parsed.model, parsed.items, headers, path, 'batch_', parsed.failure);
    job.extra = { endpoint: body.endpoint, input_file_id: f.id, metadata: body.metadata ?? null };
    return json(200, this.batchObject(job));
  }

  private outputFiles(job: MockJob): void {
    if (!ENDED_MOCK.has(job.state) || job.extra.output_file_id !== undefined || job.state === 'failed') return;
    const out: string[] = [];
    const errs: string[] = [];
    job.items.forEach((it, i) => {
      const r = job.results[i];
      const id = randomId('batch_req_', 24);
      if (r && r.status < 300) out.push(JSON.stringify({ id, custom_id: it.key, response: { status_code: r.status, request_id: randomId('req_', 24), body: r.body }, error: null }));
      else if (r) errs.push(JSON.stringify({ id, custom_id: it.key, response: { status_code: r.status, request_id: randomId('req_', 24), body: r.body }, error: null }));
      else if (job.state === 'expired') errs.push(JSON.stringify({ id, custom_id: it.key, response: null, error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' } }));
      else if (job.state === 'cancelled') errs.push(JSON.stringify({ id, custom_id: it.key, response: null, error: { code: 'batch_cancelled', message: 'This request was not executed because the batch was cancelled.' } }));
    });
    const store = (lines: string[]) => {
      if (!lines.length) return null;
      const content = Buffer.from(lines.join('\n') + '\n');
      const f: MockFile = { id: randomId('file-', 22), bytes: content.length, filename: 'batch_output.jsonl', purpose: 'batch_output', created_at: Math.floor(Date.now() / 1000), content };
      this.files.set(f.id, f);
      return f.id;
    };
    job.extra.output_file_id = store(out);
    job.extra.error_file_id = store(errs);
  }

  batchObject(job: MockJob) {
    this.outputFiles(job);
    const at = (s: string) => (job.state === s ? secs(job.endedAt) : null);
    return {
      id: job.id,
      object: 'batch',
      endpoint: job.extra.endpoint,
      model: job.model || null,
      errors: job.failure ? { object: 'list', data: [{ code: job.failure.code, message: job.failure.message, param: null, line: job.failure.line ?? null }] } : null,
      input_file_id: job.extra.input_file_id,
      completion_window: '24h',
      status: job.state === 'running' ? 'in_progress' : job.state,
      output_file_id: job.extra.output_file_id ?? null,
      error_file_id: job.extra.error_file_id ?? null,
      created_at: secs(job.created),
      in_progress_at: job.state === 'validating' ? null : secs(job.created),
      expires_at: secs(job.created + 24 * 3600 * 1000),
      finalizing_at: null,
      completed_at: at('completed'),
      failed_at: at('failed'),
      expired_at: at('expired'),
      cancelling_at: secs(job.cancelRequested),
      cancelled_at: at('cancelled'),
      request_counts: { total: job.items.length, completed: this.engine.done(job) - this.engine.failed(job), failed: this.engine.failed(job) },
      metadata: job.extra.metadata,
    };
  }

  async route(method: string, p: string, read: () => Promise<Buffer>, contentType: string, headers: MockJob['headers'], path: string): Promise<Encoded | null> {
    if (method === 'POST' && p === '/openai/v1/files') return this.upload(contentType, await read());
    let m = /^\/openai\/v1\/files\/([^/]+)(\/content)?$/.exec(p);
    if (m) {
      const f = this.files.get(decodeURIComponent(m[1]));
      if (!f) return err(404, `No such File object: ${m[1]}`);
      if (method === 'DELETE' && !m[2]) {
        this.files.delete(f.id);
        return json(200, { id: f.id, object: 'file', deleted: true });
      }
      if (method !== 'GET') return null;
      return m[2] ? { status: 200, headers: { 'content-type': 'application/octet-stream' }, frames: [f.content], chunked: false } : json(200, this.fileObject(f));
    }
    if (method === 'POST' && p === '/openai/v1/batches') {
      let body: unknown;
      try {
        body = JSON.parse((await read()).toString('utf8'));
      } catch {
        return err(400, 'We could not parse the JSON body of your request.');
      }
      return this.create(body, headers, path);
    }
    m = /^\/openai\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(p);
    if (m) {
      const job = this.engine.jobs.get(decodeURIComponent(m[1]));
      if (!job || job.protocol !== 'openai') return err(404, `No batch found with id '${m[1]}'.`);
      if (m[2] && method === 'POST') {
        await this.engine.advance(job);
        if (ENDED_MOCK.has(job.state)) return err(409, `Cannot cancel a batch with status '${job.state}'.`);
        this.engine.cancel(job);
        return json(200, this.batchObject(job));
      }
      if (method !== 'GET' || m[2]) return null;
      await this.engine.advance(job);
      return json(200, this.batchObject(job));
    }
    return null;
  }
}

/**
 * The mock server's public API and the small internal shapes its encoders share.
 * Node builtins only: this module ships inside the CLI bundle (`mmr demo`).
 */

/**
 * `openai-responses`: the Responses API (`/openai/v1/responses`, and Azure's `/azure/openai/responses`);
 * `azure`: Azure OpenAI's chat completions on deployment URLs (`/azure/openai/deployments/{name}/…`).
 */
export type MockProtocol = 'openai' | 'openai-responses' | 'azure' | 'anthropic' | 'gemini' | 'ollama';
/** The protocols whose batch APIs the mock server implements. */
export type BatchProtocol = 'openai' | 'anthropic' | 'gemini';

/** What one request is answered with. Every field is optional; `{}` is an empty, successful answer. */
export interface MockReply {
  /** The answer text (default ''). */
  text?: string;
  /** Streamed before `text` in the provider's reasoning/thinking field. */
  reasoning?: string;
  /**
   * Tokens. `output` is the provider's billed output and INCLUDES `reasoning` (as OpenAI's
   * completion_tokens, Anthropic's output_tokens, Ollama's eval_count do; Gemini gets
   * candidatesTokenCount = output - reasoning, thoughtsTokenCount = reasoning).
   * `cached` is part of `input`. Default: estimated at ~4 characters per token.
   */
  usage?: { input: number; output: number; cached?: number; reasoning?: number };
  /**
   * Encoded as each provider spells it (stop/end_turn/STOP/stop, length/max_tokens/MAX_TOKENS/length,
   * content_filter/refusal/SAFETY; Responses: completed or incomplete with max_output_tokens /
   * content_filter). Default 'stop'.
   */
  finish?: 'stop' | 'length' | 'content-filter';
  /** ms before the response headers are sent. */
  headerDelayMs?: number;
  /** ms after the headers, before the first body event. */
  firstChunkDelayMs?: number;
  /** ms between body events (between deltas; the preamble rides with the first delta, the trailer with the last). */
  chunkDelayMs?: number;
  /** Characters (code points) of text per delta event (default 4). A surrogate pair is never split. */
  deltaChars?: number;
  /** Split the encoded body into socket writes of at most this many BYTES, cut at multiples of it (mid-line, mid-UTF-8). */
  writeBytes?: number;
  /** Destroy the socket after exactly this many body bytes (a connection dropped mid-stream). */
  dropAfterBytes?: number;
  /** Non-2xx → an error reply in the provider's real error body shape. */
  status?: number;
  /** The message inside that error body (default: the provider's usual wording for the status). */
  errorMessage?: string;
  /** Extra response headers (e.g. retry-after, x-should-retry). They override the defaults. */
  headers?: Record<string, string>;
  /** Send exactly these bytes as the body, with `status` (default 200) and `headers` (incl. content-type). */
  raw?: string | Uint8Array;
  /**
   * Fail after `afterDeltas` delta events (reasoning and text deltas both count).
   * anthropic: `event: error` overloaded_error; openai and ollama /v1: `data: {"error":…}`;
   * ollama native: an `{"error":…}` line; gemini (no in-stream error): the connection is dropped.
   */
  streamError?: { afterDeltas: number; message?: string };
  /**
   * A hostile server, for hardening tests; the body never ends (until the client goes away).
   * `deltas`: valid text deltas of `text` (default "flood ") that never finish; `line`: one line
   * that never ends; `data-lines`: SSE `data:` lines with no blank line between them (NDJSON: as
   * `line`); `keepalive`: SSE comment lines (NDJSON: blank lines), never an event.
   */
  flood?: 'deltas' | 'line' | 'data-lines' | 'keepalive';
  /** Compress the body with this content-encoding (with `flood` and `keepalive`: a decompression bomb). */
  encoding?: 'gzip' | 'deflate' | 'br';
  /** Answer with a redirect to this URL instead: `status` when it is a 3xx, else 307. */
  redirectTo?: string;
}

export interface MockRequestInfo {
  protocol: MockProtocol;
  /** The model asked for (body `model`, or the `{model}` path segment for Gemini). '' when absent. */
  model: string;
  stream: boolean;
  /** The parsed JSON body (the raw string when it did not parse). */
  body: any;
  headers: Record<string, string | string[] | undefined>;
  /** Path and query as received, e.g. `/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`. */
  path: string;
  /** 1-based count of generation requests seen so far for this protocol+model (retries increment it). */
  attempt: number;
  /** Becomes true when the connection closed before the response was complete (the client went away, or a scripted drop). */
  closedEarly?: boolean;
  /**
   * What the server itself measured, in ms from the moment the request body was fully received:
   * when the response headers and the first body frame went out, when the last frame began to go
   * out, and the end (null until they do).
   * Tests compare mmr's reported timing with these.
   */
  served?: { headersMs: number | null; firstBodyMs: number | null; lastBodyMs: number | null; endMs: number | null };
  /** Set when the request came in a batch job: the job's id (it was answered by the job, not over a live connection). */
  batch?: string;
}

/** How the mock server's batch endpoints behave (OpenAI /files + /batches, Anthropic message batches, Gemini batchGenerateContent). */
export interface MockBatchOptions {
  /** ms a job stays validating before it runs (default 0). */
  startDelayMs?: number;
  /** ms per request once running; 0 (default) answers them all at the first poll. */
  msPerRequest?: number;
  /** ms a job spends finalizing after its last request (default 0). */
  finalizeMs?: number;
  /** The job expires this many ms after it was created unless it ended (requests not yet run get no answer). */
  expireAfterMs?: number;
  /** Per protocol: at most this many requests, or bytes of input, per job (default the providers' documented limits). */
  limits?: Partial<Record<'openai' | 'anthropic' | 'gemini', { maxRequests?: number; maxBytes?: number }>>;
  /** Protocols whose batch endpoints answer 404, like a server that does not have them. */
  unsupported?: Array<'openai' | 'anthropic' | 'gemini'>;
}

export interface MockServerOptions {
  reply: (req: MockRequestInfo) => MockReply | Promise<MockReply>;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** When set, requests without this key get the provider's real auth error (Ollama never checks keys). */
  apiKey?: string;
  /** What GET /ollama/api/tags lists (default ['llama3.2']); chat with any other model gets Ollama's 404. */
  ollamaModels?: string[];
  /** The batch endpoints' timing and limits. */
  batch?: MockBatchOptions;
  /** What the models listings give (`GET /openai/v1/models`, `/anthropic/v1/models`, `/gemini/v1beta/models`, `/azure/openai/models`); defaults are short lists of real ids. */
  listModels?: Partial<Record<'openai' | 'anthropic' | 'gemini' | 'azure', string[]>>;
  /** Models per page of the Anthropic and Gemini listings (both paginate); default: all on one page. */
  listPageSize?: number;
  /** Azure deployments that exist; a request to any other gets Azure's DeploymentNotFound 404. Default: any name. */
  azureDeployments?: string[];
}

export interface MockServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /**
   * openai and openai-responses: `${url}/openai/v1`, azure: `${url}/azure` (AZURE_OPENAI_ENDPOINT),
   * anthropic: `${url}/anthropic`, gemini: `${url}/gemini/v1beta`, ollama: `${url}/ollama`.
   */
  baseUrls: Record<MockProtocol, string>;
  /** Every generation request (chat/messages/generateContent/responses), in arrival order; listing GETs are not recorded here. */
  requests: MockRequestInfo[];
  /** Every models-listing GET, in arrival order: path and headers. */
  listings: { path: string; headers: Record<string, string | string[] | undefined> }[];
  /** Closes the server and destroys open sockets; never hangs, even with streams in flight. */
  close(): Promise<void>;
}

/** A MockReply with the defaults filled in, handed to an encoder. */
export interface ResolvedReply {
  model: string;
  text: string;
  reasoning: string;
  usage: { input: number; output: number; cached: number; reasoning: number };
  finish: 'stop' | 'length' | 'content-filter';
  deltaChars: number;
  /** Delta events after which the stream fails, or null. */
  errorAfter: number | null;
  errorMessage: string;
  /** Total planned streaming time in ms (used by Ollama's *_duration fields). */
  plannedMs: number;
}

/**
 * One event of an encoded stream. `delta`: a reasoning/text delta (timed by chunkDelayMs);
 * `meta`: framing before or between deltas; `tail`: the finish/usage/terminator events.
 */
export interface Piece {
  data: string;
  kind: 'delta' | 'meta' | 'tail';
}

/** What an encoder hands the writer. */
export interface Encoded {
  status: number;
  headers: Record<string, string>;
  /** Body frames; the writer waits firstChunkDelayMs before the first and chunkDelayMs between the others. */
  frames: Array<string | Uint8Array>;
  /** Streamed bodies go out chunked; others with content-length. */
  chunked: boolean;
  /** Destroy the connection after the last frame instead of ending the response. */
  dropAtEnd?: boolean;
  /** Content-encoding to compress the frames with (split and drop options then do not apply). */
  encoding?: 'gzip' | 'deflate' | 'br';
}

/**
 * The providers' models listings, in their real shapes: Anthropic `GET /v1/models` (paginated by
 * `after_id`, `has_more`, `last_id`), Gemini `GET /v1beta/models` (paginated by `pageToken`,
 * `nextPageToken`), Azure OpenAI `GET /openai/models?api-version=…`. OpenAI's and Ollama's are in
 * openai.ts and ollama.ts.
 */

export const DEFAULT_ANTHROPIC_MODELS = ['claude-haiku-4-5-20251001', 'claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805'];
export const DEFAULT_GEMINI_MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite', 'text-embedding-004'];
export const DEFAULT_AZURE_MODELS = ['gpt-4o-mini', 'gpt-4o', 'o4-mini'];

/** The page of `ids` after `after` (by id, as Anthropic's cursor works), `size` long. */
function page(ids: string[], after: string | null, size: number): { items: string[]; more: boolean } {
  const start = after === null ? 0 : ids.indexOf(after) + 1;
  const items = ids.slice(start, start + size);
  return { items, more: start + size < ids.length };
}

export function anthropicModels(ids: string[], url: URL, pageSize: number): string {
  const limit = Math.min(Number(url.searchParams.get('limit') ?? 20) || 20, pageSize);
  const { items, more } = page(ids, url.searchParams.get('after_id'), limit);
  const data = items.map((id, i) => ({ type: 'model', id, display_name: id.replace(/-\d{8}$/, '').replace(/-/g, ' '), created_at: new Date(Date.UTC(2025, 0, 1 + i)).toISOString() }));
  return JSON.stringify({ data, has_more: more, first_id: items[0] ?? null, last_id: items.at(-1) ?? null });
}

export function geminiModels(ids: string[], url: URL, pageSize: number): string {
  const size = Math.min(Number(url.searchParams.get('pageSize') ?? 50) || 50, pageSize);
  const token = url.searchParams.get('pageToken');
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) || 0 : 0;
  const items = ids.slice(start, start + size);
  const models = items.map((id) => ({
    name: `models/${id}`,
    version: '001',
    displayName: id,
    description: `mock ${id}`,
    inputTokenLimit: id.startsWith('text-embedding') ? 2048 : 1048576,
    outputTokenLimit: id.startsWith('text-embedding') ? 1 : 65536,
    supportedGenerationMethods: id.startsWith('text-embedding') ? ['embedContent'] : ['generateContent', 'countTokens', 'streamGenerateContent'],
    thinking: id.startsWith('gemini-2.5') ? true : undefined,
  }));
  const body: Record<string, unknown> = { models };
  if (start + size < ids.length) body.nextPageToken = Buffer.from(String(start + size)).toString('base64url');
  return JSON.stringify(body, null, 2) + '\n';
}

export function azureModels(ids: string[]): string {
  const data = ids.map((id) => ({
    status: 'succeeded',
    id,
    object: 'model',
    created_at: 1721260800,
    capabilities: { fine_tune: false, inference: true, completion: false, chat_completion: true, embeddings: false },
    lifecycle_status: 'generally-available',
  }));
  return JSON.stringify({ data, object: 'list' });
}

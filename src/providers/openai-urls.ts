/**
 * What OpenAI's two APIs share. Where a request goes and how it authenticates: OpenAI's own paths
 * under the base URL, or Azure OpenAI's deployment URLs with an `api-version` query (the layout the official SDK's AzureOpenAI client uses),
 * for Chat Completions, the Responses API and the models listing. And their usage objects, which
 * hold the same four counts under different names.
 */
import type { ImageInput, Usage } from '../core/types.js';
import { joinUrl } from './http.js';
import { isObject, numOrNull } from './wire.js';
import type { ProviderSpec } from './provider.js';

export type OpenAIApi = 'chat' | 'responses' | 'models';

/** api-version defaults: the GA version for chat and models; Responses needs a later preview. */
export const AZURE_API_VERSIONS: Record<OpenAIApi, string> = {
  chat: '2024-10-21',
  responses: '2025-04-01-preview',
  models: '2024-10-21',
};

const PATHS: Record<OpenAIApi, string> = { chat: 'chat/completions', responses: 'responses', models: 'models' };

/** Azure's v1 API (`https://res.openai.azure.com/openai/v1`) takes OpenAI's own paths and no api-version. */
const isAzureV1 = (baseUrl: string) => /\/openai\/v1\/?$/.test(baseUrl);

/** The URL of `api` for `model` (a deployment name on Azure). */
export function openaiUrl(spec: ProviderSpec, api: OpenAIApi, model = ''): string {
  if (!spec.azure || isAzureV1(spec.baseUrl)) return joinUrl(spec.baseUrl, PATHS[api]);
  const version = `api-version=${encodeURIComponent(spec.azure.apiVersion ?? AZURE_API_VERSIONS[api])}`;
  // A deployment name is the user's own word; encoded so it can only ever be one path segment.
  const path = api === 'chat' ? `openai/deployments/${encodeURIComponent(model)}/chat/completions` : `openai/${PATHS[api]}`;
  return `${joinUrl(spec.baseUrl, path)}?${version}`;
}

/** An image as a data URL, the form both OpenAI APIs take inline. */
export const dataUrl = (image: ImageInput): string => `data:${image.mediaType};base64,${image.base64}`;

/** Field names of one API's usage object. */
export interface UsageNames {
  input: string;
  output: string;
  /** The object holding `cached_tokens`. */
  inputDetails: string;
  /** The object holding `reasoning_tokens`. */
  outputDetails: string;
}

/** An OpenAI-family usage object → Usage; the output count already includes reasoning tokens. */
export function usageOf(u: Record<string, unknown>, n: UsageNames): Usage {
  const usage: Usage = { inputTokens: numOrNull(u[n.input]), outputTokens: numOrNull(u[n.output]), raw: u };
  const inDetails = u[n.inputDetails];
  const outDetails = u[n.outputDetails];
  const cached = isObject(inDetails) ? numOrNull(inDetails.cached_tokens) : null;
  const reasoning = isObject(outDetails) ? numOrNull(outDetails.reasoning_tokens) : null;
  if (cached !== null) usage.cachedInputTokens = cached;
  if (reasoning !== null) usage.reasoningTokens = reasoning;
  return usage;
}

/**
 * Which batch API serves a model (none: it runs live) and which one a recorded job belongs to.
 * OpenAI's shape also serves OpenAI-compatible servers, except local ones and Azure, whose batch
 * endpoints and key header differ.
 */
import type { ResolvedModel } from '../core/model.js';
import { getPreset } from '../providers/presets.js';
import type { BatchApi } from './api.js';
import { anthropicBatch } from './anthropic.js';
import { geminiBatch } from './gemini.js';
import { openaiBatch } from './openai.js';
import type { JobRecord } from './types.js';

export function batchApiFor(model: ResolvedModel): BatchApi | null {
  const p = model.provider;
  if (p.needsKey && !p.apiKey) return null;
  if (p.protocol === 'anthropic') return anthropicBatch;
  if (p.protocol === 'gemini') return geminiBatch;
  if (p.protocol === 'openai' && !p.azure && getPreset(p.id)?.local !== true) return openaiBatch;
  return null;
}

export const apiOfJob = (job: JobRecord): BatchApi => (job.protocol === 'anthropic' ? anthropicBatch : job.protocol === 'gemini' ? geminiBatch : openaiBatch);

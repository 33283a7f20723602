/**
 * `GET /v1/models` in the client's format: mmr/auto, the aliases and the models the config names.
 * OpenAI's list is `{object: "list", data: [{id, object, created, owned_by}]}`; Anthropic's
 * (asked with an `anthropic-version` header) is `{data: [{type, id, display_name, created_at}], has_more, first_id, last_id}`.
 */
import type { LoadedConfig } from '../config/types.js';
import { AUTO, isAuto, knownModels } from './target.js';
import type { ClientProtocol } from './types.js';

/** Who serves an entry: `mmr` for the router, else the provider id its alias or id points at. */
function ownerOf(id: string, loaded: LoadedConfig): string {
  const aliases = loaded.config.aliases;
  if (isAuto(id, aliases)) return 'mmr';
  let cur = id;
  for (let i = 0; i < 20 && Object.prototype.hasOwnProperty.call(aliases, cur); i++) cur = aliases[cur];
  const colon = cur.indexOf(':');
  return colon > 0 ? cur.slice(0, colon) : 'unknown';
}

export function modelList(loaded: LoadedConfig, protocol: ClientProtocol): unknown {
  const ids = knownModels(loaded);
  if (protocol === 'anthropic') {
    const data = ids.map((id) => ({ type: 'model', id, display_name: id === AUTO ? 'mmr router (your rules)' : id, created_at: '1970-01-01T00:00:00Z' }));
    return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
  }
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: ownerOf(id, loaded) })) };
}

/** One entry of the list, or null when the id is not in it. */
export function modelEntry(loaded: LoadedConfig, protocol: ClientProtocol, id: string): unknown {
  const list = modelList(loaded, protocol) as { data: { id: string }[] };
  return list.data.find((m) => m.id === id) ?? null;
}

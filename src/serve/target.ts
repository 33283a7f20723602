/**
 * What a request's `model` means. `mmr/auto` (or an alias pointing at it) is routed by the same
 * function as `mmr ask` (openSession: rules, then the learned router, then the default); an alias
 * or `provider:model` id goes to that model; anything else is a 400 that names what is known.
 */
import type { LoadedConfig } from '../config/types.js';
import { MmrError, NoProvidersError } from '../core/errors.js';
import type { ResolvedModel } from '../core/model.js';
import type { CompiledRule } from '../core/router.js';
import { openSession, type Session } from '../session/open.js';
import { ClientRequestError, type ParsedChat } from './types.js';

export const AUTO = 'mmr/auto';

/** Everything loaded once at start-up that routing each request needs. */
export interface RouteContext {
  loaded: LoadedConfig;
  rules: CompiledRule[];
  defaults: { models: string[]; source: 'config' | 'env' };
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** `--timeout`: total ms per answer, retries included. */
  timeoutMs?: number;
  /** `--retries`. */
  retries?: number;
}

export interface Target {
  session: Session;
  /** The chain that answers: the routed model, then its fallbacks. */
  chain: ResolvedModel[];
  /** `rule:<name>`, `default`, `model` (named by the client), or the router's own source name. */
  route: string;
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Whether `ref` is mmr/auto or an alias chain ending there. */
export function isAuto(ref: string, aliases: Record<string, string>): boolean {
  const seen = new Set<string>();
  let cur = ref;
  while (cur !== AUTO && hasOwn(aliases, cur) && !seen.has(cur)) {
    seen.add(cur);
    cur = aliases[cur];
  }
  return cur === AUTO;
}

/** The model names a client can use: mmr/auto, the aliases, and every model the config names. */
export function knownModels(loaded: LoadedConfig): string[] {
  const c = loaded.config;
  const named = new Set<string>([...Object.keys(c.aliases), ...(c.default ?? []), ...Object.keys(c.models)]);
  for (const r of c.rules) {
    if (typeof r !== 'object' || r === null) continue;
    const { use, fallback } = r as { use?: unknown; fallback?: unknown };
    for (const ref of [use, fallback].flat()) if (typeof ref === 'string') named.add(ref);
  }
  named.delete(AUTO);
  return [AUTO, ...[...named].sort()];
}

function routeLabel(s: Session): string {
  const r = s.routing;
  if (!r) return s.source === 'flags' ? 'model' : 'default';
  if (r.source === 'override') return 'model';
  if (r.source === 'rule') return `rule:${r.rule}`;
  return r.source;
}

function unknownModel(ref: string, why: string, loaded: LoadedConfig): ClientRequestError {
  const known = knownModels(loaded);
  const list = known.length > 25 ? `${known.slice(0, 25).join(', ')}, …` : known.join(', ');
  return new ClientRequestError({
    status: 400,
    type: 'invalid_request',
    code: 'model_not_found',
    param: 'model',
    message: `unknown model ${JSON.stringify(ref.slice(0, 200))} (${why.split('\n')[0]}). Use mmr/auto to route by your rules, an alias, or provider:model. Known: ${list}`,
  });
}

/** Sessions that do not depend on the prompt, per server and requested model (bounded: client-chosen names). */
const sessions = new WeakMap<RouteContext, Map<string, Target>>();
const MAX_SESSIONS = 256;

/** Routes one request. Throws ClientRequestError for a model the config does not know. */
export async function resolveTarget(ctx: RouteContext, req: ParsedChat): Promise<Target> {
  const auto = isAuto(req.model, ctx.loaded.config.aliases);
  // A named model, or mmr/auto with neither rules nor a learned router, routes the same way
  // whatever the prompt: its session (resolved models, engine wiring) is made once.
  const fixed = !auto || (ctx.rules.length === 0 && !ctx.loaded.config.learned);
  const known = fixed ? sessions.get(ctx)?.get(req.model) : undefined;
  if (known) return known;
  const target = await openTarget(ctx, req, auto);
  if (fixed) {
    let m = sessions.get(ctx);
    if (!m) sessions.set(ctx, (m = new Map()));
    if (m.size >= MAX_SESSIONS) m.clear();
    m.set(req.model, target);
  }
  return target;
}

async function openTarget(ctx: RouteContext, req: ParsedChat, auto: boolean): Promise<Target> {
  const flags = { model: auto ? undefined : [req.model], timeout: ctx.timeoutMs, retries: ctx.retries };
  let session: Session;
  try {
    session = await openSession(flags, { loaded: ctx.loaded, env: ctx.env, fetch: ctx.fetch, rules: ctx.rules, defaults: ctx.defaults, prompt: req.routeText });
  } catch (err) {
    if (err instanceof NoProvidersError) {
      throw new ClientRequestError({ status: 503, type: 'server', message: `no model to route to: set \`default:\` in the config or an API key (${err.message})`, shouldRetry: false });
    }
    if (err instanceof MmrError && !auto) throw unknownModel(req.model, err.message, ctx.loaded);
    throw err;
  }
  // A rule naming several models compares them in `mmr ask`; an API call gets one answer: the first.
  const slot = session.slots[0];
  const chain = Array.isArray(slot) ? [...slot] : [slot as ResolvedModel];
  return { session, chain, route: routeLabel(session) };
}

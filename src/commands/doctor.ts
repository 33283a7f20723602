/**
 * `mmr doctor`: is everything set up? For each provider: the key (which variable; never its
 * value), the base URL (credentials masked), whether the server answers, and whether it accepts
 * the key (through its models listing: free, never a paid call). For config: the files found and
 * their trust state. Exit 0 when all is well, else 1 with each failing item and its fix. Missing
 * keys and local servers that are not running are reported, not failures.
 */
import path from 'node:path';
import type { MmrConfig } from '../config/types.js';
import type { CheckedFile } from '../config/load.js';
import type { ErrorInfo } from '../core/types.js';
import type { ProviderSpec } from '../providers/provider.js';
import { formatDoctor, type DoctorReport, type FileCheck, type ProviderCheck } from './doctor-report.js';

export interface DoctorFlags {
  config?: string;
  json?: boolean;
}

export interface DoctorDeps {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  fetch?: typeof fetch;
  uid?: number;
}

/** A local server that does not answer within this is not running (a running one answers in ms). */
const LOCAL_TIMEOUT_MS = 1500;
const HOSTED_TIMEOUT_MS = 8000;

const problemsLine = (c: CheckedFile) => `${c.problems.length} problem${c.problems.length === 1 ? '' : 's'}, first: ${c.problems[0].path ? `${c.problems[0].path}: ` : ''}${c.problems[0].message}`;

/** The config files and their trust state, and the config to check providers with (only what mmr would use). */
async function checkFiles(flags: DoctorFlags, env: NodeJS.ProcessEnv, cwd: string, uid: number | undefined): Promise<{ files: FileCheck[]; config: MmrConfig }> {
  const load = await import('../config/load.js');
  const [{ mergeConfigs }, { emptyConfig }, store, { shellWord }, trust] = await Promise.all([
    import('../config/merge.js'),
    import('../config/schema.js'),
    import('../config/trust-store.js'),
    import('../config/trust.js'),
    import('../config/trust-check.js'),
  ]);
  const files: FileCheck[] = [];
  if (flags.config !== undefined) {
    const named = await load.loadNamedFile(path.resolve(cwd, flags.config), cwd);
    if (named.problems.length) {
      files.push({ file: named.shown, role: 'named', level: 'fail', detail: `does not load: ${problemsLine(named)}`, fix: 'fix the file (mmr ask prints every problem with its line)' });
      return { files, config: emptyConfig() };
    }
    files.push({ file: named.shown, role: 'named', level: 'ok', detail: 'named with --config: your own, needs no trust' });
    return { files, config: named.config };
  }
  const warnings: string[] = [];
  const [user, project] = await Promise.all([load.findUserConfig(env, cwd), load.findProjectFile({ cwd, env, uid, warn: (m) => warnings.push(m) })]);
  for (const w of warnings) files.push({ file: w.replace(/^skipping (.*?): .*$/, '$1'), role: 'project', level: 'warn', detail: w, fix: 'fix the owner or mode of the file, or pass --config FILE' });
  let userConfig: MmrConfig | undefined;
  if (user) {
    if (user.problems.length) files.push({ file: user.shown, role: 'user', level: 'fail', detail: `does not load: ${problemsLine(user)}`, fix: 'fix the file; until then every command stops with these problems' });
    else {
      files.push({ file: user.shown, role: 'user', level: 'ok', detail: 'your user file: needs no trust' });
      userConfig = user.config;
    }
  }
  let projectConfig: MmrConfig | undefined;
  if (project) {
    const quoted = shellWord(project.shown);
    if (project.problems.length) {
      files.push({ file: project.shown, role: 'project', level: 'fail', detail: `does not load: ${problemsLine(project)}`, fix: 'fix the file; until then every command run here stops with these problems' });
    } else {
      const settings = trust.privilegedOf(project, user?.problems.length ? undefined : user, env);
      const where = settings.slice(0, 3).map((s) => `${s.path}${s.line ? ` (line ${s.line})` : ''}`).join(', ') + (settings.length > 3 ? `, … ${settings.length - 3} more` : '');
      if (settings.length === 0) {
        files.push({ file: project.shown, role: 'project', level: 'ok', detail: 'project file with no privileged settings: used without trust' });
        projectConfig = project.config;
      } else {
        const read = store.readTrustStore(store.trustStorePath(env), uid);
        const entry = read.ok ? store.entryFor(read.entries, trust.realFile(project.file)) : undefined;
        if (!read.ok) {
          files.push({ file: store.trustStorePath(env), role: 'user', level: 'fail', detail: `the trust store ${read.problem}; it trusts nothing until fixed`, fix: 'fix or delete it, then mmr trust your project files again' });
        }
        if (entry && entry.sha256 === trust.digestOf(project)) {
          files.push({ file: project.shown, role: 'project', level: 'ok', detail: `trusted on ${entry.trustedAt.slice(0, 10)}: its privileged settings apply (${where})` });
          projectConfig = project.config;
        } else if (entry) {
          files.push({ file: project.shown, role: 'project', level: 'fail', detail: `changed since you trusted it on ${entry.trustedAt.slice(0, 10)}; commands here stop until it is trusted again (${where})`, fix: `read what changed; if you trust it: mmr trust ${quoted}` });
        } else {
          files.push({ file: project.shown, role: 'project', level: 'fail', detail: `not trusted, and it has privileged settings: ${where}; commands here stop until you trust it`, fix: `read it; if you trust it: mmr trust ${quoted}` });
        }
      }
    }
  }
  const config = userConfig && projectConfig ? mergeConfigs(userConfig, projectConfig) : (projectConfig ?? userConfig ?? emptyConfig());
  return { files, config };
}

function fromListingError(base: Omit<ProviderCheck, 'level' | 'detail'>, keyPart: string, e: ErrorInfo, local: boolean): ProviderCheck {
  const where = base.baseUrl;
  if (e.kind === 'network' || e.kind === 'timeout') {
    if (local) return { ...base, level: 'off', reachable: false, detail: `not running at ${where}${e.hint && /ollama/.test(e.hint) ? ' (start it with `ollama serve`)' : ''}` };
    return { ...base, level: 'fail', reachable: false, detail: `${keyPart}${where} · not reachable: ${e.message}`, fix: e.hint ?? 'check your network connection and the base URL' };
  }
  if (e.kind === 'auth') return { ...base, level: 'fail', reachable: true, keyAccepted: false, detail: `${keyPart}${where} · reachable · key rejected${e.status ? ` (HTTP ${e.status})` : ''}`, fix: e.hint };
  if (e.kind === 'rate-limit') return { ...base, level: 'warn', reachable: true, keyAccepted: true, detail: `${keyPart}${where} · reachable · key accepted · rate-limited right now`, fix: e.hint };
  if (e.status === 404 || e.status === 405) {
    return { ...base, level: 'warn', reachable: true, detail: `${keyPart}${where} · reachable · no models listing there (HTTP ${e.status}), so the key was not checked`, fix: 'nothing to do if answers work; otherwise check the base URL' };
  }
  return { ...base, level: 'fail', reachable: e.status !== null, detail: `${keyPart}${where} · ${e.message}`, fix: e.hint ?? 'check the base URL and the provider\'s status page' };
}

async function checkProvider(id: string, config: MmrConfig, env: NodeJS.ProcessEnv, fetchImpl: typeof fetch | undefined): Promise<ProviderCheck> {
  const [{ resolveProvider }, { getPreset }, { listModels }, { redactUrl }] = await Promise.all([
    import('../config/resolve-provider.js'),
    import('../providers/presets.js'),
    import('../providers/listing.js'),
    import('../core/redact.js'),
  ]);
  const preset = getPreset(id);
  let spec: ProviderSpec;
  try {
    spec = resolveProvider(id, config, env);
  } catch (err) {
    return { id, level: 'fail', keyFrom: null, keyEnv: [], needsKey: false, baseUrl: '', reachable: null, keyAccepted: null, models: null, detail: (err as Error).message, fix: (err as { hint?: string }).hint };
  }
  const keyFrom = spec.keyEnv.find((k) => env[k]?.trim()) ?? null;
  const base = { id, keyFrom, keyEnv: spec.keyEnv, needsKey: spec.needsKey, baseUrl: spec.baseUrl ? redactUrl(spec.baseUrl) : '', reachable: null, keyAccepted: null, models: null };
  const local = preset?.local === true;
  if (spec.needsKey && !spec.apiKey) return { ...base, level: 'off', detail: `no key (set ${spec.keyEnv.join(' or ') || `a keyEnv for ${id}`})` };
  if (!spec.baseUrl) {
    return { ...base, level: 'fail', detail: `${keyFrom} is set, but there is no endpoint`, fix: spec.azure ? 'set AZURE_OPENAI_ENDPOINT (e.g. https://<resource>.openai.azure.com)' : `set providers.${id}.baseUrl` };
  }
  const keyPart = keyFrom ? `key ${keyFrom} set · ` : '';
  const got = await listModels(spec, { fetch: fetchImpl, timeoutMs: local ? LOCAL_TIMEOUT_MS : HOSTED_TIMEOUT_MS });
  if (!got.ok) return fromListingError(base, keyPart, got.error, local);
  const n = got.models.length;
  const accepted = spec.apiKey ? ' · key accepted' : '';
  if (local && n === 0) {
    return { ...base, level: 'warn', reachable: true, keyAccepted: spec.apiKey ? true : null, models: 0, detail: `${keyPart}${base.baseUrl} · running, with no models`, fix: spec.protocol === 'ollama' ? 'pull one: ollama pull llama3.2' : 'load a model in the server' };
  }
  return { ...base, level: 'ok', reachable: true, keyAccepted: spec.apiKey ? true : null, models: n, detail: `${keyPart}${base.baseUrl} · ${local ? 'running' : 'reachable'}${accepted} (${n} model${n === 1 ? '' : 's'} listed)` };
}

export async function doctor(flags: DoctorFlags, deps: DoctorDeps = {}): Promise<DoctorReport> {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const { files, config } = await checkFiles(flags, env, cwd, deps.uid);
  const { PRESETS, getPreset } = await import('../providers/presets.js');
  const ids = [...PRESETS.filter((p) => p.protocol !== 'command').map((p) => p.id), ...Object.keys(config.providers).filter((id) => !getPreset(id) && config.providers[id].protocol !== 'command')];
  const providers = await Promise.all(ids.map((id) => checkProvider(id, config, env, deps.fetch)));
  const failures = [...providers, ...files].filter((c) => c.level === 'fail').length;
  return { providers, files, failures };
}

export async function runDoctor(flags: DoctorFlags): Promise<number> {
  const report = await doctor(flags);
  if (flags.json) {
    const { jsonText } = await import('../output/json.js');
    process.stdout.write(`${jsonText(report, 2)}\n`);
  } else process.stdout.write(formatDoctor(report));
  return report.failures === 0 ? 0 : 1;
}

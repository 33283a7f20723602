/**
 * resolveTarget's reuse of sessions: a named model (and mmr/auto without rules) is resolved once
 * per server; mmr/auto with rules is routed again for every prompt; an unknown model stays a 400
 * every time; each server has its own.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileLoadedRules } from '../../src/config/loaded-rules.js';
import { loadConfig } from '../../src/config/load.js';
import { parseOpenAI } from '../../src/serve/openai-wire.js';
import { resolveTarget, type RouteContext } from '../../src/serve/target.js';
import { ClientRequestError } from '../../src/serve/types.js';
import { CONFIG } from './harness.js';

async function context(config: string): Promise<RouteContext> {
  const home = mkdtempSync(path.join(tmpdir(), 'mmr-serve-target-'));
  writeFileSync(path.join(home, '.routerrc.yaml'), config);
  const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), OPENAI_API_KEY: 'sk-test-0123456789', ANTHROPIC_API_KEY: 'sk-ant-test-0123456789' };
  const loaded = await loadConfig({ cwd: home, env });
  const { rules } = await compileLoadedRules(loaded, home);
  return { loaded, rules, defaults: { models: ['openai:gpt-4o-mini'], source: 'config' }, env };
}

const chat = (model: string, text: string) => parseOpenAI({ model, messages: [{ role: 'user', content: text }] });

describe('resolveTarget', () => {
  it('routes mmr/auto by the rules for every prompt, and resolves a named model once', async () => {
    const ctx = await context(CONFIG);
    const poem = await resolveTarget(ctx, chat('mmr/auto', 'write a poem'));
    const sql = await resolveTarget(ctx, chat('mmr/auto', 'write sql'));
    const other = await resolveTarget(ctx, chat('auto', 'hello'));
    expect([poem.route, poem.chain[0].id]).toEqual(['rule:to-anthropic', 'anthropic:claude-haiku-4-5']);
    expect([sql.route, sql.chain[0].id]).toEqual(['rule:to-openai', 'openai:gpt-4o-mini']);
    expect([other.route, other.chain[0].id]).toEqual(['default', 'openai:gpt-4o-mini']);

    const named = await resolveTarget(ctx, chat('claude', 'write sql'));
    expect([named.route, named.chain[0].id]).toEqual(['model', 'anthropic:claude-haiku-4-5']);
    expect(await resolveTarget(ctx, chat('claude', 'write a poem'))).toBe(named);
    // Another server (context) resolves its own.
    expect(await resolveTarget(await context(CONFIG), chat('claude', 'x'))).not.toBe(named);
  });

  it('without rules, mmr/auto is resolved once; an unknown model is refused every time', async () => {
    const ctx = await context('default: [openai:gpt-4o-mini]\n');
    const a = await resolveTarget(ctx, chat('mmr/auto', 'one'));
    expect(await resolveTarget(ctx, chat('mmr/auto', 'two'))).toBe(a);
    for (let i = 0; i < 2; i++) {
      const err = await resolveTarget(ctx, chat('nope', 'x')).catch((e) => e);
      expect(err).toBeInstanceOf(ClientRequestError);
      expect(err.info.status).toBe(400);
    }
  });
});

/** The routing line of `mmr ask -v` for each way a model list is chosen. */
import { describe, expect, it } from 'vitest';
import { routeLine } from '../../src/commands/ask-route-line.js';
import { compileRules } from '../../src/config/rules.js';
import { route } from '../../src/core/router.js';

const models = ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'];
const PROMPT = 'Write a SQL query for the top customers';

describe('routeLine', () => {
  it('a decision the session made is said in its own words; -m says nothing', () => {
    const rules = compileRules([{ name: 'sql', when: { keywords: ['sql'] }, use: 'openai:coder' }]);
    const d = route(rules, PROMPT, { defaults: models });
    expect(routeLine({ routing: d, source: 'rule', files: ['/p/.routerrc.yaml'], models: ['openai:coder'] }, PROMPT)).toBe(d.reason);
    expect(d.reason).toMatch(/^rule "sql" matched/);
    const override = route([], PROMPT, { override: ['openai:x'], defaults: [] });
    expect(routeLine({ routing: override, source: 'flags', files: [], models: ['openai:x'] }, PROMPT)).toBeNull();
    expect(routeLine({ source: 'flags', files: [], models: ['openai:x'] }, PROMPT)).toBeNull();
  });

  it('with no decision: no config file, a config without rules, and a default from the config each say so', () => {
    expect(routeLine({ source: 'env', files: [], models }, PROMPT)).toBe(
      'no config file; the prompt looks like code; using the default comparison set: openai:gpt-4o-mini, anthropic:claude-haiku-4-5 (the providers with a key set or a local server answering; mmr models marks it with *)',
    );
    expect(routeLine({ source: 'env', files: ['/home/u/.config/mmr/config.yaml'], models }, PROMPT)).toMatch(/^no rules configured; the prompt looks like code; using the default comparison set: openai:gpt-4o-mini, anthropic:claude-haiku-4-5 \(/);
    expect(routeLine({ source: 'config', files: ['/p/.routerrc.yaml'], models }, PROMPT)).toBe('no rules configured; the prompt looks like code; using the default from your config: openai:gpt-4o-mini, anthropic:claude-haiku-4-5');
  });
});

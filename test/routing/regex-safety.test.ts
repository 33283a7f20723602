import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { route } from '../../src/core/router.js';
import { compileRules } from '../../src/config/rules.js';
import { compileRegex, REGEX_SCAN_CHARS } from '../../src/config/rule-regex.js';

const rejected = (p: string) => {
  const r = compileRegex(p);
  return typeof r === 'string' ? r : null;
};

describe('rule regex safety', () => {
  it.each([
    ['(a+)+', /nests repeats|repeats a group/],
    ['(a|a)*', /alternatives that can start with the same character/],
    ['(.*)*', /repeats a group/],
    ['(a|ab)*c', /alternatives/],
    ['^(\\w+\\s?)+$', /repeats a group/],
    ['((a)*[ab]){2,}y', /repeats a group/],
    ['.*a.*x', /polynomial/],
    ['\\d+\\d+', /polynomial/],
    ['\\w+\\s*\\w+z', /polynomial/],
    ['foo.{0,200}bar.{0,200}baz', /polynomial/],
    ['(a{1,30}){1,30}', /repeats a group/],
    ['(?=.*a.*b)', /polynomial/],
    ['(x+)\\1y', /polynomial/],
  ])('rejects the pathological %s at load with a reason', (pattern, why) => {
    expect(rejected(pattern)).toMatch(why);
  });

  it.each(['\\bselect\\b.*\\bfrom\\b', '(get|post)+', '(\\d+,)*\\d+', '(ab+)*', '[a-z]+@[a-z]+\\.com', '\\bJIRA-\\d+\\b', 'foo.{0,80}bar.{0,80}baz', '(\\s|\\S)*x', 'c\\+\\+', '/SELECT/'])(
    'accepts the ordinary %s',
    (pattern) => {
      expect(rejected(pattern)).toBeNull();
    },
  );

  it('refuses invalid syntax and stateful flags', () => {
    expect(rejected('a(b')).toMatch(/^invalid regex: .*Unterminated group/);
    expect(rejected('/x/g')).toMatch(/flag "g" is not supported/);
  });

  it('a config with a pathological regex fails to load, naming the rule', () => {
    expect(() => compileRules([{ name: 'evil', when: { regex: ['ok', '(a+)+$'] }, use: 'openai:gpt-4o' }], { file: 'f.yaml' })).toThrowError(
      expect.objectContaining({ problems: [expect.objectContaining({ path: 'rules[0].when.regex[1]', message: expect.stringMatching(/^rule "evil": regex \/\(a\+\)\+\$\/ is unsafe/) })] }) as unknown as ConfigError,
    );
  });

  it('a long prompt does not hang an accepted regex: it sees only the first REGEX_SCAN_CHARS', () => {
    // `.*x` is accepted (one repeat), yet O(n²) on one long line: 1 MB would take minutes.
    const rules = compileRules([{ name: 'x', when: { regex: '.*x' }, use: 'openai:gpt-4o' }]);
    const prompt = `${'a'.repeat(1_000_000)}x`;
    const t = performance.now();
    const d = route(rules, prompt, { defaults: ['d:d'] });
    expect(performance.now() - t).toBeLessThan(2000);
    expect(d.source).toBe('default'); // the x is past the scan limit
    expect(REGEX_SCAN_CHARS).toBe(8192);
  });

  it('patterns it accepts stay fast on adversarial input (random patterns, 8 KB inputs)', () => {
    const atoms = ['a', 'b', '.', '\\w', '\\d', '\\s', '[ab]', '[^b]'];
    const quants = ['', '', '*', '+', '?', '{2,}', '{0,20}'];
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const gen = (depth: number): string =>
      Array.from({ length: 1 + rnd(3) }, () => {
        const a = depth > 0 && rnd(3) === 0 ? `(${gen(depth - 1)}${rnd(3) === 0 ? `|${gen(depth - 1)}` : ''})` : atoms[rnd(atoms.length)];
        return a + quants[rnd(quants.length)];
      }).join('');
    const inputs = ['a'.repeat(REGEX_SCAN_CHARS), 'ab '.repeat(REGEX_SCAN_CHARS / 3)];
    let accepted = 0;
    for (let k = 0; k < 40; k++) {
      const re = compileRegex(`${gen(2)}y`);
      if (typeof re === 'string') continue;
      accepted++;
      for (const s of inputs) {
        const t = performance.now();
        re.test(s);
        expect(performance.now() - t, String(re)).toBeLessThan(1500);
      }
    }
    expect(accepted).toBeGreaterThan(10);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { route } from '../../src/core/router.js';
import { compileRules } from '../../src/config/rules.js';
import { compileRegex, REGEX_SCAN_CHARS, requiredLiteral, toRe2, type RuleRegex } from '../../src/config/rule-regex.js';

const refused = (p: string) => {
  const r = compileRegex(p);
  return typeof r === 'string' ? r : null;
};
const ok = (p: string): RuleRegex => {
  const r = compileRegex(p);
  if (typeof r === 'string') throw new Error(r);
  return r;
};

describe('rule regexes run on a linear-time engine', () => {
  // Each of these takes V8's backtracking engine exponential or polynomial time on the input beside it.
  it.each([
    ['(\\u0100+)+$', `${'\u0100'.repeat(40)}!`],
    ['/(\\p{Script=Greek}+)+$/u', `${'α'.repeat(40)}!`],
    ['(a+)+$', `${'a'.repeat(5000)}!`],
    ['^(a|a)*$', `${'a'.repeat(5000)}!`],
    ['^(\\w+\\s?)+$', `${'ab '.repeat(2000)}!`],
    ['.*a.*x.*z', 'a'.repeat(REGEX_SCAN_CHARS)],
    ['\\d+\\d+\\d+x', '1'.repeat(REGEX_SCAN_CHARS)],
  ])('accepts %s and answers at once on input that hangs a backtracking engine', (pattern, input) => {
    const re = ok(pattern);
    const t = performance.now();
    expect(re.test(input)).toBe(false);
    // A hang guard, not a speed claim (bench/routing.ts measures): V8 takes seconds to hours here.
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('keeps JavaScript meaning: escapes, Unicode classes, flags, anchors, named groups', () => {
    expect(ok('caf\\u00e9').test('un CAFÉ noir')).toBe(true); // default: case-insensitive
    expect(ok('/^URGENT/').test('urgent: fix')).toBe(false);
    expect(ok('/^URGENT/').test('URGENT: fix')).toBe(true);
    expect(ok('/^b/m').test('a\nb')).toBe(true);
    expect(ok('/a.b/s').test('a\nb')).toBe(true);
    expect(ok('/a.b/').test('a\nb')).toBe(false);
    expect(ok('/\\p{Script=Cyrillic}{3}/u').test('слово')).toBe(true);
    expect(ok('/\\p{Letter}+/u').match('  ñandú ')).toBe('ñandú');
    expect(ok('a\\sb').test('a\u00a0b')).toBe(true); // JS \s includes no-break space; RE2's alone does not
    expect(ok('(?<id>JIRA-\\d+)').match('see jira-42 now')).toBe('jira-42');
    expect(ok('[^]x').test('\nx')).toBe(true);
    expect(ok('\\bselect\\b.*\\bfrom\\b').test('SELECT a FROM t')).toBe(true);
    expect(String(ok('\\bJIRA-\\d+\\b'))).toBe('/\\bJIRA-\\d+\\b/i');
    expect(toRe2('\\u{1F600}\\cJ\\v')).toEqual({ re2: '\\x{1f600}\\x{a}\\x{b}' });
  });

  it.each([
    ['(?=.*a)b', /lookaround "\(\?=" is not supported/],
    ['(?<!x)y', /lookaround "\(\?<!" is not supported/],
    ['(x+)\\1y', /backreferences .* not supported/],
    ['(?<n>a)\\k<n>', /backreferences/],
    ['(a{1,30}){1,60}', /RE2 cannot run it/],
  ])('refuses %s, which needs backtracking, with the reason', (pattern, why) => {
    expect(refused(pattern)).toMatch(why);
  });

  it('refuses invalid syntax and stateful flags', () => {
    expect(refused('a(b')).toMatch(/^invalid regex: .*Unterminated group/);
    expect(refused('/x/g')).toMatch(/flag "g" is not supported/);
  });

  it('a config with a refused regex fails to load, naming the rule', () => {
    expect(() => compileRules([{ name: 'evil', when: { regex: ['ok', '(a)\\1'] }, use: 'openai:gpt-4o' }], { file: 'f.yaml' })).toThrowError(
      expect.objectContaining({ problems: [expect.objectContaining({ path: 'rules[0].when.regex[1]', message: expect.stringMatching(/^rule "evil": regex \/\(a\)\\1\/ is refused/) })] }) as unknown as ConfigError,
    );
  });

  it('the 28 Greek letters that took 36 s route at once', () => {
    const rules = compileRules([{ name: 'greek', when: { regex: '/(\\p{Script=Greek}+)+$/u' }, use: 'openai:gpt-4o' }]);
    const t = performance.now();
    expect(route(rules, `${'αβγδεζηθικλμνξοπρστυφχψωαβγδ'}!`, { defaults: ['d:d'] }).source).toBe('default');
    expect(route(rules, 'αβγ', { defaults: ['d:d'] }).rule).toBe('greek');
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('a long prompt: a rule regex sees only the first REGEX_SCAN_CHARS', () => {
    const rules = compileRules([{ name: 'x', when: { regex: '.*x' }, use: 'openai:gpt-4o' }]);
    const d = route(rules, `${'a'.repeat(1_000_000)}x`, { defaults: ['d:d'] });
    expect(d.source).toBe('default'); // the x is past the scan limit
    expect(REGEX_SCAN_CHARS).toBe(8192);
  });

  it('random patterns: whatever compiles agrees with V8 on ordinary input', () => {
    const atoms = ['a', 'b', '.', '\\w', '\\d', '\\s', '[ab]', '[^b]', '\\bb'];
    const quants = ['', '', '*', '+', '?', '{2,}', '{0,3}'];
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const gen = (depth: number): string =>
      Array.from({ length: 1 + rnd(3) }, () => {
        const a = depth > 0 && rnd(3) === 0 ? `(${gen(depth - 1)}${rnd(3) === 0 ? `|${gen(depth - 1)}` : ''})` : atoms[rnd(atoms.length)];
        return a + quants[rnd(quants.length)];
      }).join('');
    const inputs = ['ab 1 ba', 'aaa', 'b b b 12', 'xyz', ''];
    let compared = 0;
    for (let k = 0; k < 200; k++) {
      const src = gen(2);
      const re = compileRegex(src);
      if (typeof re === 'string') continue;
      for (const s of inputs) {
        expect(re.test(s, s.toLowerCase()), `${src} on "${s}"`).toBe(new RegExp(src, "i").test(s));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(500);
  });
});

describe('required-literal prefilter', () => {
  it.each([
    ['\\bTICKET-\\d{3,}\\b', 'TICKET-'],
    ['^/cmd1\\b', '/cmd1'],
    ['c\\+\\+', 'c++'],
    ['colou?r', 'colo'],
    ['ab+c', 'ab'],
    ['(foo|bar)baz', 'baz'],
    ['foo|bar', null],
    ['[a-z]+@x', '@x'],
    ['\\d+', null],
  ])('%s needs %s', (src, lit) => {
    expect(requiredLiteral(src)).toBe(lit);
  });

  it('gives the same answers as the engine alone, Unicode case folding included', () => {
    const re = ok('select');
    for (const s of ['SELECT * FROM t', 'nothing here', 'ſelect (long s)', 'sElEcT']) expect(re.test(s, s.toLowerCase()), s).toBe(new RegExp('select', 'iu').test(s));
    expect(ok('/Select/').test('select', 'select')).toBe(false);
    expect(ok('/Select/').test('Select', 'select')).toBe(true);
  });
});

it('the prefilter never reads a quantifier or an escape argument as text', () => {
  expect(requiredLiteral('/x{3}yz/')).toBe('yz/');
  expect(requiredLiteral('\\p{Script=Greek}{2}ab')).toBe('ab');
  expect(requiredLiteral('\\u{1F600}ok')).toBe('ok');
});

/**
 * Regexes in routing rules run on RE2 (re2js, a JavaScript port of Google's RE2): matching takes
 * time linear in the prompt whatever the pattern, so no rule can hang `mmr ask`. Users write
 * JavaScript syntax (`pattern`, or `/pattern/flags`); it is checked by V8 first (so its errors
 * read as usual), then translated to RE2 syntax. What RE2 cannot do in linear time (lookaround,
 * backreferences) is refused with a reason.
 *
 * re2js is required synchronously the first time a rule has a regex, and never otherwise: it
 * costs ~9 ms to load (bench/routing.ts), and most configs have no regex at all.
 */
import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';
import { REGEX_SCAN_CHARS, type RuleRegex } from '../core/router.js';

export { REGEX_SCAN_CHARS, type RuleRegex };

let engine: typeof RE2JSClass | undefined;
/** Kept out of the bundle on purpose: a static import would load it with every rule set. */
function re2(): typeof RE2JSClass {
  if (!engine) {
    const load = createRequire(import.meta.url);
    engine = (load('re2js') as { RE2JS: typeof RE2JSClass }).RE2JS;
  }
  return engine;
}

/** JS `\s`: RE2's is ASCII only. */
const SPACE = '\\t\\n\\x{b}\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';
/** Long Unicode general-category names JS accepts, as RE2's short ones. */
const CATEGORY: Record<string, string> = {
  Letter: 'L', Lowercase_Letter: 'Ll', Uppercase_Letter: 'Lu', Titlecase_Letter: 'Lt', Modifier_Letter: 'Lm', Other_Letter: 'Lo',
  Mark: 'M', Number: 'N', Decimal_Number: 'Nd', Letter_Number: 'Nl', Other_Number: 'No', Punctuation: 'P', Symbol: 'S',
  Math_Symbol: 'Sm', Currency_Symbol: 'Sc', Separator: 'Z', Space_Separator: 'Zs', Other: 'C', Control: 'Cc',
};
const hex = (n: number) => `\\x{${n.toString(16)}}`;

/** A JS pattern (already valid for V8) as RE2 syntax, or why it cannot run in linear time. */
export function toRe2(source: string): { re2: string } | { error: string } {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '[' && !inClass) {
      if (source.startsWith('[^]', i)) {
        out += '(?s:.)';
        i += 2;
        continue;
      }
      if (source.startsWith('[]', i)) return { error: '`[]` (matches nothing) is not supported' };
      inClass = true;
      out += c;
      if (source[i + 1] === '^') (out += '^'), i++;
      continue;
    }
    if (c === ']' && inClass) inClass = false;
    if (c === '(' && !inClass && source[i + 1] === '?') {
      const m = /^\(\?(<[=!]|[=!]|<([A-Za-z_$][\w$]*)>|:)/.exec(source.slice(i));
      if (m && (m[1] === '=' || m[1] === '!' || m[1] === '<=' || m[1] === '<!')) {
        return { error: `lookaround "(?${m[1]}" is not supported: rule regexes run on a linear-time engine (RE2 syntax)` };
      }
      if (m?.[2]) {
        out += `(?P<${m[2]}>`;
        i += m[0].length - 1;
        continue;
      }
    }
    if (c !== '\\') {
      out += c === '/' ? '\\/' : c;
      continue;
    }
    const rest = source.slice(i + 1);
    const e = rest[0];
    let m: RegExpExecArray | null;
    if ((m = /^u\{([0-9a-fA-F]+)\}|^u([0-9a-fA-F]{4})|^x([0-9a-fA-F]{2})/.exec(rest))) {
      out += hex(parseInt(m[1] ?? m[2] ?? m[3], 16));
      i += m[0].length;
    } else if ((m = /^c([A-Za-z])/.exec(rest))) {
      out += hex(m[1].toUpperCase().charCodeAt(0) % 32);
      i += 2;
    } else if ((m = /^([pP])\{(?:(Script|sc|Script_Extensions|scx|General_Category|gc)=)?([A-Za-z_]+)\}/.exec(rest))) {
      const name = m[2] === undefined || /^(General_Category|gc)$/.test(m[2]) ? (CATEGORY[m[3]] ?? m[3]) : m[3];
      out += `\\${m[1]}{${name}}`;
      i += m[0].length;
    } else if (e === 'k' || /^[1-9]/.test(rest)) {
      return { error: 'backreferences (\\1, \\k<name>) are not supported: rule regexes run on a linear-time engine (RE2 syntax)' };
    } else if (e === '0') {
      out += hex(0);
      i++;
    } else if (e === 'v') {
      out += hex(11);
      i++;
    } else if (e === 'b' && inClass) {
      out += hex(8);
      i++;
    } else if (e === 's') {
      out += inClass ? SPACE : `[${SPACE}]`;
      i++;
    } else if (e === 'S' && !inClass) {
      out += `[^${SPACE}]`;
      i++;
    } else if (e !== undefined && /[A-Za-z]/.test(e) && !'dDwWsSbBnrtf'.includes(e)) {
      return { error: `"\\${e}" is not an escape RE2 knows; write the character itself` };
    } else {
      out += `\\${e ?? ''}`;
      i++;
    }
  }
  return { re2: out };
}

/**
 * A substring every match must contain (the longest run of plain characters at the top level of a
 * pattern with no top-level `|`), or null. Checking it with `includes` first is linear and skips
 * the RE2 run for almost every prompt a rule does not match.
 */
export function requiredLiteral(source: string): string | null {
  let best = '';
  let run = '';
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '|') return null;
    if (c === '(' || c === '[') {
      // Skip the group or class whole (nested groups, escapes and classes inside included).
      let depth = 0;
      let inClass = false;
      for (; i < source.length; i++) {
        const d = source[i];
        if (d === '\\') i++;
        else if (inClass) inClass = d !== ']';
        else if (d === '[') inClass = true;
        else if (d === '(') depth++;
        else if (d === ')' && --depth === 0) break;
        if (c === '[' && !inClass && depth === 0) break;
      }
      end();
      continue;
    }
    let ch: string | null = null;
    const brace = /^\{\d+(?:,\d*)?\}|^\\[pPux]\{[^}]*\}|^\\k<[^>]*>/.exec(source.slice(i, i + 64));
    if (brace) {
      // A counted repeat, or an escape with a braced argument: never plain text.
      i += brace[0].length - 1;
    } else if (c === '\\') {
      const e = source[i + 1] ?? '';
      i++;
      if (/[^A-Za-z0-9]/.test(e)) ch = e;
    } else if (!'.^$*+?{}'.includes(c)) ch = c;
    const q = source[i + 1];
    if (ch !== null && (q === '*' || q === '?' || q === '{')) ch = null; // optional or counted: not required as is
    if (ch === null) end();
    else {
      run += ch;
      if (q === '+') end();
    }
  }
  end();
  return best.length >= 2 ? best : null;
}

/** `pattern` → case-insensitive; `/pattern/flags` → those flags. Returns the compiled regex, or why not. */
export function compileRegex(written: string): RuleRegex | string {
  const lit = /^\/(.+)\/([a-z]*)$/s.exec(written);
  const [source, flags] = lit ? [lit[1], lit[2]] : [written, 'i'];
  const badFlag = [...flags].find((f) => !'imsu'.includes(f));
  if (badFlag) return `flag "${badFlag}" is not supported in /${source}/${flags}; use i, m, s or u`;
  try {
    new RegExp(source, flags);
  } catch (err) {
    return `invalid regex: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  const t = toRe2(source);
  if ('error' in t) return `regex /${source}/ is refused: ${t.error}`;
  const R = re2();
  const bits = (flags.includes('i') ? R.CASE_INSENSITIVE : 0) | (flags.includes('m') ? R.MULTILINE : 0) | (flags.includes('s') ? R.DOTALL : 0);
  let compiled: RE2JSClass;
  try {
    compiled = R.compile(t.re2, bits);
  } catch (err) {
    return `regex /${source}/ is refused: RE2 cannot run it (${(err as Error).message.replace(/^error parsing regexp: /, '')})`;
  }
  const shown = `/${source}/${flags}`;
  const icase = flags.includes('i');
  const required = requiredLiteral(source);
  const need = required && icase ? required.toLowerCase() : required;
  return {
    source: written,
    // ſ and the Kelvin sign fold to s and k under i, and toLowerCase does not map them: no shortcut then.
    test: (s: string, lower?: string) => (need && (icase ? lower !== undefined && !/[\u017f\u212a]/.test(lower) && !lower.includes(need) : !s.includes(need)) ? false : compiled.test(s)),
    match: (s: string) => compiled.exec(s)?.[0] ?? null,
    toString: () => shown,
  };
}

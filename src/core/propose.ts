/**
 * Proposes a routing rule from a prompt the user just voted on. Pure and offline: the proposal is
 * only a starting point the user edits in the dialog, so cheap heuristics beat a model call here.
 */
/** A rule proposed after a vote, as the dialog edits it. */
export interface RuleProposal {
  /** kebab-case rule name. */
  name: string;
  /** Keywords the rule matches on. */
  keywords: string[];
  /** Prompt category from the classifier, when one is known. */
  category?: string;
  /** `provider:model` (or alias) the rule routes to. */
  use: string;
}

/** Most keywords proposed; more makes an `any` matcher fire on too much. */
export const MAX_KEYWORDS = 4;

// Function words plus the instruction verbs every prompt uses ("write", "explain"): they say
// nothing about what the prompt is about, so a rule keyed on them would match everything.
const STOPWORDS = new Set(
  `a about above after again against all also am an and any are as at be because been before being below between both but by can
  could did do does doing done down during each either etc every few for from further get gets getting give given go going got had
  has have having he her here hers herself him himself his how however i if in into is it its itself just let like make makes many
  may me might more most much must my myself need needs no nor not now of off on once one only or other our ours ourselves out over
  own please same shall she should show so some such than that the their theirs them themselves then there these they thing things
  this those through to too under until up upon us use used using very via want was way we well were what when where which while who
  whom why will with within without would yes yet you your yours yourself yourselves
  answer briefly can't check compare create describe detail details do don't example examples explain find help i'd i'm it's keep
  list short simple step steps suggest summarise tell think try write writes writing brief quick quickly good best better new
  give me provide return returns following below above based sure know`.split(/\s+/).filter(Boolean),
);

// Short tokens that are names of things people route on (languages, tools), kept despite their length.
const SHORT_TERMS = new Set(['c', 'r', 'go', 'js', 'ts', 'py', 'sql', 'css', 'api', 'git', 'sh', 'ui', 'ai', 'ml', 'db', 'ci', 'aws', 'gcp', 'k8s', 'vim', 'npm', 'csv', 'xml', 'pdf', 'php', 'c#', 'c++', 'f#']);

/** Words of the prompt, lower-cased; keeps `c++`, `node.js`, `k8s` whole. */
export function tokenize(prompt: string): string[] {
  const raw = prompt.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}_+#.'-]*/gu) ?? [];
  return raw.map((t) => t.replace(/[.'-]+$/, '')).filter(Boolean);
}

// Words common in prompts of every kind: allowed, but any rarer word is preferred over them.
const GENERIC = new Set(
  'code function data file files text question problem program script value values result results output input number numbers word words sentence paragraph version people time year years work issue something'.split(' '),
);

/**
 * Scores a token as a stand-in for rarity (there is no corpus offline): longer words are rarer,
 * names of technologies rarer still, generic prompt words less so; repeats count a little.
 */
function score(token: string, count: number): number {
  const techy = /[0-9_+#.]/.test(token) || SHORT_TERMS.has(token) ? 6 : 0;
  const generic = GENERIC.has(token) ? -4 : 0;
  return Math.min(token.length, 10) + techy + generic + Math.min(count - 1, 2);
}

/** Up to `max` distinctive keywords, in the order they appear in the prompt. */
export function keywordsOf(prompt: string, max = MAX_KEYWORDS): string[] {
  const counts = new Map<string, { count: number; first: number }>();
  tokenize(prompt).forEach((t, i) => {
    if (STOPWORDS.has(t) || /^\d+([.,]\d+)?$/.test(t)) return;
    if (t.length < 4 && !SHORT_TERMS.has(t)) return;
    const c = counts.get(t);
    if (c) c.count++;
    else counts.set(t, { count: 1, first: i });
  });
  return [...counts.entries()]
    .map(([t, c]) => ({ t, s: score(t, c.count), first: c.first }))
    .sort((a, b) => b.s - a.s || a.first - b.first)
    .slice(0, max)
    .sort((a, b) => a.first - b.first)
    .map((k) => k.t);
}

/** `SQL Query!` → `sql-query`. */
export function kebab(s: string): string {
  return s
    .toLowerCase()
    .replace(/\+/g, 'p')
    .replace(/#/g, 'sharp')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The rule proposed after `winner` won on `prompt`. `classify` is the routing classifier when it
 * is available; without it the proposal rests on keywords alone.
 */
export function proposeRule(prompt: string, winner: string, classify?: (p: string) => { category: string }): RuleProposal {
  const keywords = keywordsOf(prompt);
  let category: string | undefined;
  try {
    category = classify?.(prompt).category || undefined;
  } catch {
    category = undefined; // a classifier bug must not cost the user their vote's rule
  }
  const base = keywords.length ? keywords.slice(0, 2).join('-') : category ?? `prefer-${winner.split(':').pop()}`;
  const name = kebab(base).slice(0, 40).replace(/-+$/, '') || 'my-rule';
  return { name, keywords, ...(category ? { category } : {}), use: winner };
}

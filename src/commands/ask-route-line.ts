/**
 * The routing line `mmr ask -v` prints on stderr: why these models. A decision the session made
 * (a rule, the learned router, the default after the rules) says it in its own words; with no
 * rules and no learned router the session makes none, and the line says the default comparison
 * set was used and where it came from, in the same form.
 */
import { classify } from '../core/classify.js';
import type { RoutingDecision } from '../core/router.js';

export interface RouteLineInput {
  routing?: RoutingDecision;
  /** Where the model list came from (Session['source']). */
  source: 'flags' | 'rule' | 'learned' | 'config' | 'env';
  /** Config files that were loaded (none: mmr runs on its built-in defaults). */
  files: readonly string[];
  /** The models asked, in order. */
  models: readonly string[];
}

/** The line's text (without `mmr: `), or null when there is nothing to say (`-m` named the models). */
export function routeLine(s: RouteLineInput, prompt: string): string | null {
  if (s.routing) return s.routing.source === 'override' ? null : s.routing.reason;
  if (s.source !== 'config' && s.source !== 'env') return null;
  const { category } = classify(prompt);
  const why = s.files.length === 0 ? 'no config file' : 'no rules configured';
  const set = s.source === 'config' ? 'the default from your config' : 'the default comparison set';
  const whence = s.source === 'env' ? ' (the providers with a key set or a local server answering; mmr models marks it with *)' : '';
  return `${why}; the prompt looks like ${category}; using ${set}: ${s.models.join(', ')}${whence}`;
}

/**
 * Blind voting, as in Chatbot Arena: names hidden and columns shuffled until the vote, so a
 * brand cannot sway it. Pure helpers; randomness is injected so tests can fix the order.
 */

/** A Fisher–Yates permutation of 0..n-1: display position → slot. */
export function shuffledOrder(n: number, random: () => number = Math.random): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

export const identityOrder = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** `Model A`, `Model B`, … by display position (AA, AB … past 26, which nobody compares). */
export function blindLabel(position: number): string {
  const letter = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : letter(Math.floor(i / 26) - 1) + letter(i % 26));
  return `Model ${letter(position)}`;
}

/** A file-name-safe form of a model id or label: `openai:gpt-4o` → `openai-gpt-4o`. */
export function fileSlug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'answer';
}

const KIND_TEXT: Record<string, string> = {
  auth: 'the provider refused the key',
  'rate-limit': 'rate limited',
  overloaded: 'the provider is overloaded',
  server: 'the provider had a server error',
  'context-length': 'the prompt is too long for this model',
  'bad-request': 'the provider refused the request',
  network: 'network error',
  timeout: 'timed out',
  'bad-response': 'the provider sent something unreadable',
  aborted: 'cancelled',
  config: 'not configured',
  command: 'the local command failed',
};

/**
 * An error as blind mode may show it before the vote: what kind of failure, never a provider's
 * name, host, key variable, wording or status code (529 is Anthropic's alone), any of which would
 * say whose column it is.
 */
export function blindError(e: { kind: string }): string {
  return `${KIND_TEXT[e.kind] ?? 'failed'} · details after your vote`;
}

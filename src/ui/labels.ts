/**
 * Model labels in narrow places (pane headers, tab bars): the model's own name is what tells
 * columns apart, so the provider is shortened, then dropped, before the name is cut.
 */
import { displayWidth, truncateToWidth } from './wrap.js';

/** `label` in at most `room` columns: `anthropic:claude-haiku-4-5` → `anth…:claude-haiku-4-5` → `claude-haiku-4-5` → `claude-hai…`. */
export function fitLabel(label: string, room: number): string {
  if (displayWidth(label) <= room) return label;
  const colon = label.indexOf(':');
  // `(A) openai:gpt-4o` after a blind vote: keep the letter, fit the rest.
  const blind = /^\([A-Z]+\) /.exec(label);
  if (blind) return blind[0] + fitLabel(label.slice(blind[0].length), room - blind[0].length);
  if (colon > 0) {
    const provider = label.slice(0, colon);
    const model = label.slice(colon + 1);
    for (const keep of [4, 2]) {
      if (provider.length > keep) {
        const short = `${provider.slice(0, keep)}…:${model}`;
        if (displayWidth(short) <= room) return short;
      }
    }
    return truncateToWidth(model, room);
  }
  return truncateToWidth(label, room);
}

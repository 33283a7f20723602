import { randomBytes } from 'node:crypto';

/** A conversation id: 8 hex digits, short enough to type (`mmr history show 3f9a1c0e`). */
export const newConversationId = (): string => randomBytes(4).toString('hex');

/** Looks like an id or an id's prefix someone typed (4–8 hex digits). */
export const looksLikeId = (s: string): boolean => /^[0-9a-f]{4,8}$/i.test(s);

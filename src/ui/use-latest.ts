import { useRef, type MutableRefObject } from 'react';

/**
 * A ref always holding this render's value. Key handlers read through it because Ink
 * re-subscribes a changed useInput handler only when React flushes passive effects, which can
 * lag a render by several ms while answers stream; a key landing in that gap would otherwise run
 * the previous render's closure (stale results, stale geometry, stale mode).
 */
export function useLatest<T>(value: T): MutableRefObject<T> {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}

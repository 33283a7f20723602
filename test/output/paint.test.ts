import { describe, expect, it } from 'vitest';
import { colorChoice, stderrPaint } from '../../src/output/paint.js';

describe('colour choice', () => {
  it('turns colour off for NO_COLOR with any non-empty value, in a terminal too', () => {
    for (const v of ['1', '0', 'false', 'yes', ' ']) expect(colorChoice(undefined, { NO_COLOR: v }, true), `NO_COLOR=${JSON.stringify(v)}`).toBe('off');
    expect(colorChoice(undefined, { NO_COLOR: '' }, true)).toBe('auto');
  });

  it('lets NO_COLOR win over FORCE_COLOR, and the flags win over both', () => {
    expect(colorChoice(undefined, { NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe('off');
    expect(colorChoice(true, { NO_COLOR: '1' }, false)).toBe('on');
    expect(colorChoice(false, { FORCE_COLOR: '3' }, true)).toBe('off');
  });

  it('reads FORCE_COLOR=0/false as off and any other value as on, and is off for a pipe otherwise', () => {
    expect(colorChoice(undefined, { FORCE_COLOR: '0' }, true)).toBe('off');
    expect(colorChoice(undefined, { FORCE_COLOR: 'false' }, true)).toBe('off');
    expect(colorChoice(undefined, { FORCE_COLOR: '1' }, false)).toBe('on');
    expect(colorChoice(undefined, {}, false)).toBe('off');
    expect(colorChoice(undefined, {}, true)).toBe('auto');
  });

  it('gives no paint at all when colour is off, even on a terminal', async () => {
    expect(await stderrPaint(undefined, { NO_COLOR: 'x' }, true)).toBeUndefined();
    const forced = await stderrPaint(true, { NO_COLOR: 'x' }, false);
    expect(forced?.red('a')).toMatch(/\x1b\[31ma/);
  });
});

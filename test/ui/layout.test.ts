import { describe, expect, it } from 'vitest';
import { bodyHeight, chooseLayout, MIN_COLUMN_WIDTH, splitWidths } from '../../src/ui/layout.js';

describe('chooseLayout', () => {
  it('puts three answers side by side at 100 and 160 columns', () => {
    const at100 = chooseLayout({ columns: 100, rows: 30, panes: 3 });
    expect(at100.mode).toBe('side');
    expect(at100.widths).toEqual([34, 33, 33]);
    expect(at100.widths.every((w) => w >= MIN_COLUMN_WIDTH)).toBe(true);
    expect(chooseLayout({ columns: 160, rows: 30, panes: 3 }).widths.reduce((a, b) => a + b)).toBe(160);
  });

  it('stacks or tabs when a column would be narrower than 32 at 60 columns', () => {
    expect(chooseLayout({ columns: 60, rows: 30, panes: 3 }).mode).toBe('tabbed');
    const stacked = chooseLayout({ columns: 60, rows: 40, panes: 2 });
    expect(stacked).toMatchObject({ mode: 'stacked', widths: [60] });
    expect(stacked.maxBody).toBeGreaterThanOrEqual(4);
  });

  it('gives six models side by side on a wide terminal, tabs on a normal one', () => {
    expect(chooseLayout({ columns: 200, rows: 50, panes: 6 }).mode).toBe('side');
    expect(chooseLayout({ columns: 120, rows: 30, panes: 6 }).mode).toBe('tabbed');
  });

  it('one model always gets the full width', () => {
    expect(chooseLayout({ columns: 40, rows: 20, panes: 1 })).toMatchObject({ mode: 'side', widths: [40] });
  });
});

describe('bodyHeight', () => {
  const layout = chooseLayout({ columns: 120, rows: 30, panes: 3 });
  it('grows with the content up to the room there is', () => {
    expect(bodyHeight(layout, 1, 2)).toBe(3);
    expect(bodyHeight(layout, 10, 2)).toBe(10);
    expect(bodyHeight(layout, 500, 2)).toBe(layout.maxBody);
    expect(bodyHeight(layout, 500, 3)).toBe(layout.maxBody - 1);
  });
});

describe('splitWidths', () => {
  it('differs by at most one', () => {
    expect(splitWidths(101, 4)).toEqual([26, 25, 25, 25]);
  });
});

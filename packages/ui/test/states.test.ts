import { describe, expect, it } from 'vitest';
import { contrastRatio, isActive, isFinished, STATE_LEGEND, stateStyle } from '../src/lib/states.js';

describe('state colours', () => {
  it('gives every state a label readable on its fill (WCAG AA, 4.5:1)', () => {
    for (const state of STATE_LEGEND) {
      const s = stateStyle(state);
      expect(contrastRatio(s.color, s.text), `${String(state)} label`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('keeps states apart without colour: distinct labels and symbols', () => {
    const styles = STATE_LEGEND.map((s) => stateStyle(s));
    expect(new Set(styles.map((s) => s.label)).size).toBe(styles.length);
    expect(new Set(styles.map((s) => s.symbol)).size).toBe(styles.length);
    expect(new Set(styles.map((s) => s.color)).size).toBe(styles.length);
  });

  it('shows an unknown state with its own name', () => {
    expect(stateStyle('waiting_for_godot').label).toBe('waiting for godot');
    expect(stateStyle(null).label).toBe('no status');
  });

  it('computes contrast as WCAG does', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#777777')).toBe(1);
    expect(() => contrastRatio('red', '#fff')).toThrow(RangeError);
  });

  it('tells finished from active states', () => {
    expect(isFinished('success')).toBe(true);
    expect(isFinished('upstream_failed')).toBe(true);
    expect(isFinished('running')).toBe(false);
    expect(isFinished(null)).toBe(false);
    expect(isActive('up_for_retry')).toBe(true);
    expect(isActive('failed')).toBe(false);
  });
});

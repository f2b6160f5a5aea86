import type { DagRunState, TaskInstanceState } from '../api/types.js';

/** A run or task instance state; null is "no status". */
export type AnyState = TaskInstanceState | DagRunState | null;

/** How a state looks: a fill colour, the text colour on it, a label and a symbol (not colour alone). */
export interface StateStyle {
  /** Fill of a Grid cell, a badge or a graph node border. */
  color: string;
  /** Text drawn on `color` (WCAG AA contrast). */
  text: string;
  /** Words for people and screen readers. */
  label: string;
  /** One character drawn in badges, so states differ without colour. */
  symbol: string;
}

// Airflow's hues, for users who know them (green success, red failed, gold retry, orange upstream failed,
// pink skipped ...), chosen darker or lighter so that the label on the fill reads at 4.5:1.
const STYLES: Record<TaskInstanceState | 'none', StateStyle> = {
  success: { color: '#1a7f37', text: '#ffffff', label: 'success', symbol: '✓' },
  failed: { color: '#cf222e', text: '#ffffff', label: 'failed', symbol: '✕' },
  running: { color: '#0969da', text: '#ffffff', label: 'running', symbol: '▶' },
  queued: { color: '#6e7781', text: '#ffffff', label: 'queued', symbol: '…' },
  scheduled: { color: '#c9b38a', text: '#1f2328', label: 'scheduled', symbol: '◷' },
  up_for_retry: { color: '#d4a72c', text: '#1f2328', label: 'up for retry', symbol: '↻' },
  up_for_reschedule: { color: '#54aeff', text: '#1f2328', label: 'up for reschedule', symbol: '⟳' },
  upstream_failed: { color: '#e16f24', text: '#1f2328', label: 'upstream failed', symbol: '⚠' },
  skipped: { color: '#e85aad', text: '#1f2328', label: 'skipped', symbol: '⤼' },
  removed: { color: '#d0d7de', text: '#1f2328', label: 'removed', symbol: '–' },
  deferred: { color: '#8250df', text: '#ffffff', label: 'deferred', symbol: '⏸' },
  restarting: { color: '#bf3989', text: '#ffffff', label: 'restarting', symbol: '↺' },
  none: { color: '#eaeef2', text: '#1f2328', label: 'no status', symbol: '·' },
};

/** The look of a state; unknown names (a newer server) look like "no status" with their own name. */
export function stateStyle(state: string | null): StateStyle {
  if (state === null || state === '') return STYLES.none;
  const known = Object.hasOwn(STYLES, state) ? STYLES[state as TaskInstanceState] : undefined;
  return known ?? { ...STYLES.none, label: state.replaceAll('_', ' ') };
}

/** Every task instance state with its style, in the order a legend shows them. */
export const STATE_LEGEND: readonly (TaskInstanceState | null)[] = [
  'success',
  'running',
  'failed',
  'upstream_failed',
  'up_for_retry',
  'queued',
  'scheduled',
  'skipped',
  'deferred',
  'restarting',
  'removed',
  null,
];

const FINISHED = new Set<string>(['success', 'failed', 'skipped', 'upstream_failed', 'removed']);

/** Whether nothing more happens to a task instance or run in this state (until it is cleared). */
export function isFinished(state: AnyState): boolean {
  return state !== null && FINISHED.has(state);
}

/** Whether a try is in progress or about to be, so its log and state will still change. */
export function isActive(state: AnyState): boolean {
  return state === 'running' || state === 'queued' || state === 'scheduled' || state === 'restarting' || state === 'deferred' || state === 'up_for_retry';
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new RangeError(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => {
    const c = parseInt(h as string, 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

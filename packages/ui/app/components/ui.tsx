import type { ReactNode } from 'react';
import type { DagRunState, TaskInstanceState } from '../../src/api/types.js';
import { stateStyle } from '../../src/lib/states.js';
import { errorText } from '../api.js';

/** A state as a coloured badge with its symbol and words. */
export function StateBadge({ state }: { state: TaskInstanceState | DagRunState | null }) {
  const s = stateStyle(state);
  return (
    <span className="badge" style={{ background: s.color, color: s.text }} data-state={state ?? 'none'}>
      <span aria-hidden="true">{s.symbol}</span> {s.label}
    </span>
  );
}

/** A small coloured square for a state, labelled for screen readers. */
export function StateDot({ state, label }: { state: TaskInstanceState | DagRunState | null; label?: string }) {
  const s = stateStyle(state);
  return <span className="dot" style={{ background: s.color }} role="img" aria-label={label ?? s.label} title={label ?? s.label} />;
}

/** An error in words, with a retry button when one helps. */
export function ErrorMessage({ error, retry, title = 'Something went wrong' }: { error: unknown; retry?: () => void; title?: string }) {
  return (
    <div className="error" role="alert">
      <strong>{title}</strong>
      <p>{errorText(error)}</p>
      {retry && (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A busy indicator that says what is loading. */
export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}…
    </div>
  );
}

/** A titled box. */
export function Card({ title, actions, children, id }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; id?: string }) {
  return (
    <section className="card" aria-labelledby={id && title ? `${id}-title` : undefined}>
      {(title || actions) && (
        <header className="card-head">
          {title && <h2 id={id ? `${id}-title` : undefined}>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

/** Pretty JSON, as text. */
export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}

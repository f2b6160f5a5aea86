import { STATE_LEGEND, stateStyle } from '../../src/lib/states.js';

/** What each colour means. */
export function Legend() {
  return (
    <ul className="legend" aria-label="State colours">
      {STATE_LEGEND.map((s) => {
        const st = stateStyle(s);
        return (
          <li key={s ?? 'none'}>
            <span className="dot" style={{ background: st.color }} aria-hidden="true" />
            {st.label}
          </li>
        );
      })}
    </ul>
  );
}

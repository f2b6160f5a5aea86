import { useQuery } from '@tanstack/react-query';
import { describeImportError } from '../../src/lib/import-errors.js';
import { api } from '../api.js';

/** A banner when DAG files failed to import; each error opens to its file, line and message. */
export function ImportErrorsBanner() {
  const q = useQuery({ queryKey: ['importErrors'], queryFn: () => api.listImportErrors(), staleTime: 30_000 });
  if (!q.data || q.data.total_entries === 0) return null;
  const errors = q.data.import_errors.map(describeImportError);
  const n = q.data.total_entries;
  return (
    <section className="banner danger" aria-labelledby="import-errors-title" data-testid="import-errors">
      <h2 id="import-errors-title">
        <span aria-hidden="true">⚠</span> {n} DAG {n === 1 ? 'file' : 'files'} failed to import
      </h2>
      <ul>
        {errors.map((e) => (
          <li key={e.id}>
            <details>
              <summary>
                <code>
                  {e.file}
                  {e.line !== null && `:${e.line}`}
                </code>{' '}
                — {e.message}
              </summary>
              <dl className="facts">
                <dt>File</dt>
                <dd>
                  <code>{e.file}</code>
                </dd>
                <dt>Line</dt>
                <dd>{e.line ?? 'unknown'}</dd>
                <dt>Message</dt>
                <dd>{e.message}</dd>
              </dl>
              {e.details && <pre className="trace">{e.details}</pre>}
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}

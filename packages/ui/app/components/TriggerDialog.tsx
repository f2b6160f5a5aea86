import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { fieldsToConf, mergeRawConf, paramsToFields, type FieldValue, type ParamField } from '../../src/lib/params-form.js';
import { api, errorText } from '../api.js';
import { ErrorMessage, Loading } from './ui.js';

/** The Trigger button and its dialog: a form built from the DAG's params, plus a raw JSON conf. */
export function TriggerButton({ dagId, className = 'button primary' }: { dagId: string; className?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className={className} onClick={() => setOpen(true)} aria-label={`Trigger ${dagId}`} data-testid="trigger-button">
        <span aria-hidden="true">▶</span> Trigger
      </button>
      {open && <TriggerDialog dagId={dagId} onClose={() => setOpen(false)} />}
    </>
  );
}

function TriggerDialog({ dagId, onClose }: { dagId: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    // No close() on cleanup: it would fire `close`, and React's double effects in development would shut it.
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const details = useQuery({ queryKey: ['dag', dagId, 'details'], queryFn: () => api.getDagDetails(dagId) });
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={onClose} data-testid="trigger-dialog">
      <header className="dialog-head">
        <h2 id={titleId}>Trigger {dagId}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </header>
      {details.isPending && <Loading label="Loading the DAG's params" />}
      {details.isError && <ErrorMessage error={details.error} retry={() => void details.refetch()} />}
      {details.data && <TriggerForm dagId={dagId} fields={paramsToFields(details.data.params)} paused={details.data.is_paused} onDone={onClose} />}
    </dialog>
  );
}

function TriggerForm({ dagId, fields, paused, onDone }: { dagId: string; fields: ParamField[]; paused: boolean; onDone: () => void }) {
  const initial = useMemo(() => Object.fromEntries(fields.map((f) => [f.name, f.initial])), [fields]);
  const [values, setValues] = useState<Record<string, FieldValue>>(initial);
  const [raw, setRaw] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [rawError, setRawError] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const trigger = useMutation({
    mutationFn: (conf: Record<string, unknown>) => api.triggerDagRun(dagId, { conf }),
    onSuccess: (run) => {
      void queryClient.invalidateQueries({ queryKey: ['grid', dagId] });
      void queryClient.invalidateQueries({ queryKey: ['dagRuns', dagId] });
      onDone();
      void navigate(`/dags/${encodeURIComponent(dagId)}?run=${encodeURIComponent(run.dag_run_id)}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const form = fieldsToConf(fields, values);
    setErrors(form.errors);
    const merged = mergeRawConf(form.conf, raw);
    setRawError('error' in merged ? merged.error : null);
    if (Object.keys(form.errors).length > 0 || 'error' in merged) return;
    trigger.mutate(merged.conf);
  };
  return (
    <form onSubmit={submit} noValidate className="stack">
      {paused && <p className="notice">This DAG is paused: the run waits in the queue until the DAG is unpaused.</p>}
      {fields.length === 0 && <p className="muted">This DAG has no params.</p>}
      {fields.map((f) => (
        <ParamInput key={f.name} field={f} value={values[f.name] ?? f.initial} error={errors[f.name]} onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))} />
      ))}
      <details className="raw-conf" open={rawError !== null}>
        <summary>Advanced: JSON conf</summary>
        <label>
          Conf as a JSON object; its keys override the form
          <textarea
            rows={5}
            value={raw}
            placeholder='{"key": "value"}'
            spellCheck={false}
            onChange={(e) => setRaw(e.target.value)}
            aria-invalid={rawError !== null}
            aria-describedby={rawError ? 'raw-conf-error' : undefined}
          />
        </label>
        {rawError && (
          <p id="raw-conf-error" className="error-text">
            {rawError}
          </p>
        )}
      </details>
      {trigger.isError && (
        <p className="error-text" role="alert">
          {errorText(trigger.error)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={trigger.isPending} data-testid="trigger-submit">
          {trigger.isPending ? 'Triggering…' : 'Trigger'}
        </button>
      </div>
    </form>
  );
}

function ParamInput({ field: f, value, error, onChange }: { field: ParamField; value: FieldValue; error: string | undefined; onChange: (v: FieldValue) => void }) {
  const id = useId();
  const describedBy = [f.description ? `${id}-desc` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, name: f.name, 'aria-invalid': error !== undefined, 'aria-describedby': describedBy };
  let input;
  switch (f.kind) {
    case 'boolean':
      input = <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
      break;
    case 'select':
      input = (
        <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
          {f.nullable && <option value="">(none)</option>}
          {f.options.map((o) => (
            <option key={JSON.stringify(o)} value={JSON.stringify(o)}>
              {typeof o === 'string' ? o : JSON.stringify(o)}
            </option>
          ))}
        </select>
      );
      break;
    case 'json':
    case 'list':
    case 'multiline':
      input = <textarea {...common} rows={f.kind === 'json' ? 4 : 3} spellCheck={false} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
      break;
    default: {
      const type = { integer: 'number', number: 'number', date: 'date', datetime: 'datetime-local', time: 'time', text: 'text' }[f.kind] ?? 'text';
      input = (
        <input
          {...common}
          type={type}
          step={f.kind === 'integer' ? 1 : f.kind === 'number' ? 'any' : f.kind === 'datetime' ? 1 : undefined}
          min={f.minimum}
          max={f.maximum}
          placeholder={f.nullable ? '(none)' : undefined}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    }
  }
  return (
    <div className={`field ${f.kind === 'boolean' ? 'inline' : ''}`}>
      <label htmlFor={id}>
        {f.label}
        {f.label !== f.name && <code className="muted"> {f.name}</code>}
        {f.kind === 'list' && <span className="muted"> (one per line)</span>}
        {f.kind === 'datetime' && <span className="muted"> (UTC)</span>}
      </label>
      {input}
      {f.description && (
        <p id={`${id}-desc`} className="muted small">
          {f.description}
        </p>
      )}
      {error && (
        <p id={`${id}-err`} className="error-text small">
          {f.label}: {error}
        </p>
      )}
    </div>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { DAGResponse } from '../../src/api/types.js';
import { api, errorText } from '../api.js';
import { useCan } from '../auth.js';

/** The DAG's on/off switch (ops and admins); viewers see its state only. */
export function PauseToggle({ dag }: { dag: Pick<DAGResponse, 'dag_id' | 'is_paused'> }) {
  const can = useCan('op');
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: () => api.setPaused(dag.dag_id, !dag.is_paused),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['dags'] });
      void queryClient.invalidateQueries({ queryKey: ['dag', dag.dag_id] });
    },
  });
  const on = !dag.is_paused;
  const label = `${on ? 'Pause' : 'Unpause'} ${dag.dag_id}`;
  if (!can) {
    return (
      <span className={`switch readonly ${on ? 'on' : ''}`} role="img" aria-label={`${dag.dag_id} is ${on ? 'active' : 'paused'}`} title={on ? 'Active' : 'Paused'}>
        <span className="knob" />
      </span>
    );
  }
  return (
    <span className="switch-wrap">
      <button
        type="button"
        role="switch"
        aria-checked={on}
        aria-label={label}
        title={label}
        className={`switch ${on ? 'on' : ''}`}
        disabled={toggle.isPending}
        onClick={() => toggle.mutate()}
        data-testid="pause-toggle"
      >
        <span className="knob" />
      </button>
      {toggle.isError && (
        <span className="error-text" role="alert">
          {errorText(toggle.error)}
        </span>
      )}
    </span>
  );
}

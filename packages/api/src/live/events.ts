import type { DagRunState, TaskInstanceState } from '@updraft/store';

/** A state change the UI shows live. Field names are Airflow's, as in the REST responses. */
export type ApiEvent =
  | {
      type: 'dag_run';
      dag_id: string;
      dag_run_id: string;
      state: DagRunState;
    }
  | {
      type: 'task_instance';
      dag_id: string;
      dag_run_id: string;
      task_id: string;
      map_index: number;
      /** Null: no state yet. */
      state: TaskInstanceState | null;
      try_number: number;
    }
  | {
      /** Changes may have been missed (more than one poll's worth): clients should fetch again. */
      type: 'resync';
    };

/** An in-process source of state changes (the scheduler in `updraft standalone`); returns an unsubscribe function. */
export interface ApiEventSource {
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

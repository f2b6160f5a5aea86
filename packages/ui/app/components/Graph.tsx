import dagre from '@dagrejs/dagre';
import { Background, Controls, Handle, MarkerType, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import type { TaskInstanceState, TaskResponse } from '../../src/api/types.js';
import { stateStyle } from '../../src/lib/states.js';
import { taskEdges } from '../../src/lib/topo.js';

const WIDTH = 190;
const HEIGHT = 54;

type TaskNodeData = { taskId: string; operator: string | null; state: TaskInstanceState | null; selected: boolean; onOpen: (taskId: string) => void };

function TaskNode({ data }: NodeProps<Node<TaskNodeData>>) {
  const s = stateStyle(data.state);
  return (
    <button
      type="button"
      className={`graph-node ${data.selected ? 'selected' : ''}`}
      style={{ borderColor: s.color }}
      onClick={() => data.onOpen(data.taskId)}
      data-testid="graph-node"
      data-task={data.taskId}
      data-state={data.state ?? 'none'}
      aria-label={`${data.taskId}: ${s.label}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span className="graph-node-title">{data.taskId}</span>
      <span className="graph-node-state">
        <span className="dot" style={{ background: s.color }} aria-hidden="true" /> {s.label}
        {data.operator && <span className="muted"> · {data.operator}</span>}
      </span>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </button>
  );
}

const nodeTypes = { task: TaskNode };

/** The DAG laid out left to right (dagre), each task coloured by its state in the chosen run. */
export default function GraphView({
  tasks,
  states,
  selectedTask,
  onOpen,
}: {
  tasks: TaskResponse[];
  states: Record<string, TaskInstanceState | null>;
  selectedTask: string | null;
  onOpen: (taskId: string) => void;
}) {
  const layout = useMemo(() => {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 70, marginx: 16, marginy: 16 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const t of tasks) g.setNode(t.task_id, { width: WIDTH, height: HEIGHT });
    const edges = taskEdges(tasks);
    for (const [a, b] of edges) g.setEdge(a, b);
    dagre.layout(g);
    return { positions: new Map(tasks.map((t) => [t.task_id, g.node(t.task_id) as { x: number; y: number } | undefined])), edges };
  }, [tasks]);

  const nodes: Node<TaskNodeData>[] = tasks.map((t) => {
    const p = layout.positions.get(t.task_id);
    return {
      id: t.task_id,
      type: 'task',
      position: { x: (p?.x ?? 0) - WIDTH / 2, y: (p?.y ?? 0) - HEIGHT / 2 },
      data: { taskId: t.task_id, operator: t.operator_name, state: states[t.task_id] ?? null, selected: selectedTask === t.task_id, onOpen },
      draggable: false,
      connectable: false,
      focusable: false,
      width: WIDTH,
      height: HEIGHT,
    };
  });
  const edges: Edge[] = layout.edges.map(([a, b]) => ({
    id: `${a}->${b}`,
    source: a,
    target: b,
    animated: states[b] === 'running' || states[b] === 'queued',
    markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
    focusable: false,
  }));
  return (
    <div className="graph" data-testid="graph" role="figure" aria-label={`Graph of ${tasks.length} tasks, left to right`}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1.2 }}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        minZoom={0.2}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

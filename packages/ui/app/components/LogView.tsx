import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { LogStreamChunk, LogStreamEnd } from '../../src/api/types.js';
import { appendLogPage, appendStreamChunk, EMPTY_LOG, endStream, formatLogLine, type LogState } from '../../src/lib/log.js';
import { api, errorText } from '../api.js';

/** How often the fallback reader asks for new lines when the live stream cannot be used. */
const POLL_MS = 2000;

/**
 * One try's log, live: lines stream in as the runner writes them (server-sent events, resumed by byte offset
 * after a reconnect); if the stream cannot open, the JSON log route is read page by page instead. Lines are
 * shown as text, never as HTML.
 */
export function LogView({ dagId, runId, taskId, tryNumber, finished }: { dagId: string; runId: string; taskId: string; tryNumber: number; finished: boolean }) {
  const [log, setLog] = useState<LogState>(EMPTY_LOG);
  const [error, setError] = useState<string | null>(null);
  const finishedRef = useRef(finished);
  finishedRef.current = finished;

  useEffect(() => {
    setLog(EMPTY_LOG);
    setError(null);
    let stopped = false;
    let poll: number | null = null;
    let state = EMPTY_LOG;
    const set = (next: LogState) => {
      state = next;
      setLog(next);
    };
    const readPages = async () => {
      try {
        for (;;) {
          const page = await api.getLog(dagId, runId, taskId, tryNumber, state.token);
          if (stopped) return;
          set(appendLogPage(state, page, finishedRef.current));
          if (page.content.length === 0) break;
        }
        if (!state.ended && !stopped) poll = window.setTimeout(() => void readPages(), POLL_MS);
      } catch (e) {
        if (!stopped) setError(errorText(e));
      }
    };
    if (typeof EventSource === 'undefined') {
      void readPages();
      return () => {
        stopped = true;
      };
    }
    const source = new EventSource(api.logStreamUrl(dagId, runId, taskId, tryNumber), { withCredentials: true });
    let received = false;
    source.addEventListener('log', (m: MessageEvent<string>) => {
      received = true;
      set(appendStreamChunk(state, JSON.parse(m.data) as LogStreamChunk));
    });
    source.addEventListener('end', (m: MessageEvent<string>) => {
      received = true;
      void (JSON.parse(m.data) as LogStreamEnd);
      set(endStream(state));
      source.close();
    });
    source.addEventListener('error', () => {
      // Before any event: the stream is refused (an error status, a proxy): read the JSON route instead.
      if (!received && source.readyState === EventSource.CLOSED && !stopped) void readPages();
    });
    return () => {
      stopped = true;
      source.close();
      if (poll !== null) window.clearTimeout(poll);
    };
  }, [dagId, runId, taskId, tryNumber]);

  const text = useMemo(() => log.lines.map(formatLogLine).join('\n'), [log.lines]);
  const box = useRef<HTMLPreElement>(null);
  const follow = useRef(true);
  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [text]);

  return (
    <div className="log-wrap">
      <div className="log-status small muted" aria-live="polite">
        {log.ended ? `${log.lines.length + log.dropped} ${log.lines.length + log.dropped === 1 ? 'line' : 'lines'} · try ended` : <span className="live">● live</span>}
        {log.dropped > 0 && ` · the first ${log.dropped} lines are not shown`}
      </div>
      {error && (
        <p className="error-text" role="alert">
          The log could not be read: {error}
        </p>
      )}
      <pre
        ref={box}
        className="log"
        tabIndex={0}
        role="log"
        aria-label={`Log of ${taskId}, try ${tryNumber}`}
        data-testid="log"
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {text || (log.ended ? '(empty log)' : 'Waiting for the first lines…')}
      </pre>
    </div>
  );
}

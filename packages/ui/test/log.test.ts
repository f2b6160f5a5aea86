import { describe, expect, it } from 'vitest';
import { appendLogPage, appendStreamChunk, EMPTY_LOG, endStream, formatLogLine } from '../src/lib/log.js';

const line = (event: string) => ({ event });

describe('log continuation', () => {
  it('appends streamed chunks and ignores a chunk sent again after a reconnect', () => {
    let log = appendStreamChunk(EMPTY_LOG, { lines: [line('a'), line('b')], pos: 10 });
    log = appendStreamChunk(log, { lines: [line('c')], pos: 15 });
    const again = appendStreamChunk(log, { lines: [line('c')], pos: 15 });
    expect(again).toBe(log);
    expect(log.lines.map((l) => l.event)).toEqual(['a', 'b', 'c']);
    expect(log.pos).toBe(15);
  });

  it('keeps the newest lines when the log grows past the cap, counting the dropped ones', () => {
    let log = EMPTY_LOG;
    for (let i = 0; i < 5; i++) log = appendStreamChunk(log, { lines: [line(`${i}a`), line(`${i}b`)], pos: (i + 1) * 10 }, 3);
    expect(log.lines.map((l) => l.event)).toEqual(['3b', '4a', '4b']);
    expect(log.dropped).toBe(7);
  });

  it('pages the JSON route by continuation token until an empty page of a finished try', () => {
    let log = appendLogPage(EMPTY_LOG, { content: [line('a')], continuation_token: 't1' }, false);
    expect(log).toMatchObject({ token: 't1', ended: false });
    log = appendLogPage(log, { content: [], continuation_token: 't1' }, false);
    expect(log.ended).toBe(false);
    log = appendLogPage(log, { content: [line('b')], continuation_token: 't2' }, true);
    expect(log.ended).toBe(false);
    log = appendLogPage(log, { content: [], continuation_token: null }, true);
    expect(log).toMatchObject({ token: 't2', ended: true });
    expect(log.lines.map((l) => l.event)).toEqual(['a', 'b']);
  });

  it('ends once', () => {
    const ended = endStream(EMPTY_LOG);
    expect(ended.ended).toBe(true);
    expect(endStream(ended)).toBe(ended);
  });

  it('formats structured lines as the runner wrote them', () => {
    expect(formatLogLine({ timestamp: '2025-01-01T00:00:00Z', level: 'info', event: 'hello' })).toBe('[2025-01-01T00:00:00Z] INFO - hello');
    expect(formatLogLine({ event: 'plain <b>' })).toBe('plain <b>');
  });
});

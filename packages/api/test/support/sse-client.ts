/** One server-sent event as a client sees it. */
export interface SseEvent {
  event: string;
  id?: string;
  data: Record<string, unknown>;
}

/** Reads a server-sent events stream; `next` waits for the next event that matches. */
export class SseClient {
  readonly #controller = new AbortController();
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #buffer = '';
  readonly #queue: SseEvent[] = [];
  readonly #decoder = new TextDecoder();

  /** Opens the stream; resolves with the response status. */
  async open(url: string, headers: Record<string, string>): Promise<number> {
    const res = await fetch(url, { headers, signal: this.#controller.signal });
    if (res.body) this.#reader = res.body.getReader();
    return res.status;
  }

  /** The next event matching `predicate` (others are dropped). Rejects when the stream ends first. */
  async next(predicate: (e: SseEvent) => boolean = () => true): Promise<SseEvent> {
    for (;;) {
      const i = this.#queue.findIndex(predicate);
      if (i >= 0) {
        const [found] = this.#queue.splice(0, i + 1).slice(-1);
        return found as SseEvent;
      }
      this.#queue.length = 0;
      if (!this.#reader) throw new Error('stream not open');
      const { value, done } = await this.#reader.read();
      if (done) throw new Error('stream ended');
      this.#buffer += this.#decoder.decode(value, { stream: true });
      let end: number;
      while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          const m = /^(event|data|id): ?(.*)$/.exec(line);
          if (m) fields[m[1] as string] = m[2] as string;
        }
        if (fields.event && fields.data !== undefined) {
          this.#queue.push({ event: fields.event, data: JSON.parse(fields.data) as Record<string, unknown>, ...(fields.id !== undefined && { id: fields.id }) });
        }
      }
    }
  }

  close(): void {
    this.#controller.abort();
  }
}

import type { FastifyReply, FastifyRequest } from 'fastify';

/** An open server-sent events stream. */
export interface SseStream {
  /** Sends one event; `data` is JSON-encoded. */
  send(event: string, data: unknown, id?: string | number): void;
  /** Ends the stream from the server side. */
  end(): void;
  /** Whether the client is gone or the stream ended. */
  readonly closed: boolean;
}

/** Keep-alive comment interval: proxies drop idle connections after a minute or so. */
const KEEP_ALIVE_MS = 15_000;

/**
 * Takes over the response for a `text/event-stream`. Security headers are set here because hijacked replies
 * skip the onSend hooks. `onClose` runs once, when the client leaves or the stream ends.
 */
export function openSse(request: FastifyRequest, reply: FastifyReply, onClose: () => void): SseStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  let closed = false;
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  keepAlive.unref();
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    onClose();
  };
  request.raw.on('close', close);
  res.on('close', close);
  return {
    send(event, data, id) {
      if (closed) return;
      res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      close();
      res.end();
    },
    get closed() {
      return closed;
    },
  };
}

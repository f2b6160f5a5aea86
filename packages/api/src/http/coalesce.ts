import type { FastifyReply, FastifyRequest } from 'fastify';

/** Wraps a route handler whose answer depends on its URL alone (not on who asks: access is checked before it runs). */
export type Coalesce = <R extends FastifyRequest>(handler: (request: R) => Promise<unknown>) => (request: R, reply: FastifyReply) => Promise<FastifyReply>;

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Identical reads that arrive together share one answer. The first request for a URL schedules the handler at
 * the end of this turn of the event loop (`setImmediate`); the requests for the same URL that arrive before it
 * starts wait for it, and get the same serialized body. A request that arrives once the handler has started
 * schedules a new one, so no request gets an answer read before it arrived: the reads stay as fresh as without
 * sharing, while fifty clients polling the same listing cost one store query per turn instead of fifty.
 * Errors (a 404, say) are shared the same way. Only for handlers that read nothing of the request but its URL:
 * not its headers, not its user (see ADR-002-coalesced-reads.md).
 */
export function createCoalescer(): Coalesce {
  // Bytes, not text: each reply would otherwise encode the same (often large) string again.
  const waiting = new Map<string, Promise<Buffer>>();
  return (handler) => async (request, reply) => {
    const key = `${request.routeOptions.url ?? ''}\0${request.url}`;
    let body = waiting.get(key);
    if (body === undefined) {
      body = new Promise<Buffer>((resolve, reject) => {
        setImmediate(() => {
          waiting.delete(key);
          // The route's own serializer (its response schema's, when it has one) makes a JSON string.
          handler(request).then((value) => resolve(Buffer.from(reply.serialize(value) as string)), reject);
        });
      });
      waiting.set(key, body);
    }
    return reply.type(JSON_TYPE).send(await body);
  };
}

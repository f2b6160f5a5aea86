import type { FastifyInstance } from 'fastify';

/** The policy of HTML pages the server makes (UI, docs): its own scripts only, no framing, no plugins. */
export const HTML_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Headers on every response: no MIME sniffing, no framing, no referrer, and no caching of API answers (they
 * carry data behind a login). HTML gets a Content-Security-Policy unless its route set a stricter one.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html') && !reply.hasHeader('content-security-policy')) reply.header('content-security-policy', HTML_CSP);
    if (!reply.hasHeader('cache-control') && (request.url.startsWith('/api/') || request.url.startsWith('/ui/') || request.url.startsWith('/auth/'))) {
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}

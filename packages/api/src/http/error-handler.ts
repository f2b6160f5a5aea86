import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StoreInputError } from '@updraft/store';
import { HttpError, type ValidationIssue } from '../errors.js';
import { toIssues } from './validation.js';

const CONTEXTS: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/**
 * Every error leaves as `{"detail": ...}`, as Airflow answers: a sentence, or validation issues for 422. With a
 * web UI (`hasUi`), an unknown GET outside the API answers the UI's index.html (client-side routes).
 */
export function installErrorHandlers(app: FastifyInstance, hasUi: boolean): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, detail } = describe(error, request);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(status).type('application/json; charset=utf-8').send({ detail });
  });
  app.setNotFoundHandler((request, reply) => {
    if (hasUi && request.method === 'GET' && !/^\/(api|ui|auth|docs|openapi\.json)(\/|\?|$)/.test(request.url)) {
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    return reply.code(404).send({ detail: 'Not Found' });
  });
}

function describe(error: FastifyError, request: FastifyRequest): { status: number; detail: string | ValidationIssue[] } {
  if (error instanceof HttpError) return { status: error.status, detail: error.detail };
  if (error.validation) {
    const part = CONTEXTS[error.validationContext ?? 'body'] ?? 'body';
    const input = part === 'body' ? request.body : part === 'query' ? request.query : part === 'path' ? request.params : request.headers;
    return { status: 422, detail: toIssues(error.validation as ErrorObject[], part, input) };
  }
  if (error instanceof StoreInputError) {
    return { status: 422, detail: [{ type: 'value_error', loc: ['body', error.field], msg: error.message }] };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 422, detail: [{ type: 'json_invalid', loc: ['body'], msg: `JSON decode error: ${error.message}` }] };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 422, detail: [{ type: 'missing', loc: ['body'], msg: 'Field required: the request has a JSON content type but no body' }] };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, detail: `Request body is larger than the limit of ${request.routeOptions.bodyLimit ?? 0} bytes` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, detail: `Unsupported media type ${request.headers['content-type'] ?? '(none)'}: send application/json` };
    default:
      break;
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (status >= 500) return { status, detail: 'Internal Server Error' };
  return { status, detail: error.message };
}

/**
 * Every error leaves as `{ error: { code, message } }`. Bad input is a 4xx,
 * whatever part of the stack noticed it; only our own faults are a 500.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorBody, ErrorCode } from '../../src/domain/wire'
import { StorageUnavailableError, UNAVAILABLE_RETRY_AFTER_S } from '../store/faults'
import { closeAfterAnswer } from './linger'

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** An error answered with `Retry-After: <retryAfter>` (whole seconds): the client may try again then. */
export class RetryLaterError extends ApiError {
  constructor(
    statusCode: number,
    code: ErrorCode,
    message: string,
    readonly retryAfter: number,
  ) {
    super(statusCode, code, message)
  }
}

export class RateLimitedError extends RetryLaterError {
  constructor(retryAfter: number) {
    super(429, 'rate_limited', `too many requests; retry in ${retryAfter} s`, retryAfter)
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } }
}

/** Maps fastify's own errors (body parsing, limits) onto the contract's codes. */
export function toApiError(err: FastifyError | Error): ApiError {
  if (err instanceof ApiError) return err
  // Any route, while the database cannot be reached (PostgreSQL down): retry soon, nothing was acknowledged.
  if (err instanceof StorageUnavailableError)
    return new RetryLaterError(
      503,
      'storage_unavailable',
      `${err.message}; nothing was acknowledged, send it again`,
      UNAVAILABLE_RETRY_AFTER_S,
    )
  const code = (err as FastifyError).code
  const status = (err as FastifyError).statusCode
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'too_large', 'request body is larger than 1 MiB')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(400, 'unsupported_media_type', 'send the body as application/json')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'invalid_json', 'the body is empty')
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError(400, 'invalid_json', 'the body is not valid JSON')
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'bad_request', 'the body is not as long as its Content-Length says')
  }
  if (status === 408) return new ApiError(408, 'timeout', 'the request did not arrive in time; send it again')
  if (err instanceof SyntaxError || (status === 400 && /JSON/i.test(err.message))) {
    return new ApiError(400, 'invalid_json', 'the body is not valid JSON')
  }
  if (status === 413) return new ApiError(413, 'too_large', err.message)
  if (status === 429) return new ApiError(429, 'rate_limited', err.message)
  if (status === 401) return new ApiError(401, 'unauthorized', err.message)
  if (status === 404) return new ApiError(404, 'not_found', err.message)
  if (status !== undefined && status >= 400 && status < 500) return new ApiError(400, 'bad_request', err.message)
  return new ApiError(500, 'internal_error', 'the server failed; the request can be retried')
}

export function errorHandler(
  this: unknown,
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const api = toApiError(err)
  if (api.statusCode === 503) request.log.warn({ err }, 'database unavailable')
  else if (api.statusCode >= 500) request.log.error({ err }, 'request failed')
  const retryAfter = api instanceof RetryLaterError ? api.retryAfter : (err as { retryAfter?: unknown }).retryAfter
  if (typeof retryAfter === 'number' && (api instanceof RetryLaterError || api.statusCode === 429))
    reply.header('retry-after', String(retryAfter))
  // Answered before the body was read (too large, too slow): close without resetting the client.
  closeAfterAnswer(request, reply)
  return reply.status(api.statusCode).send(errorBody(api.code, api.message))
}

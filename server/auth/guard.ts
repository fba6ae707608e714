/**
 * The onRequest hook for routes that need a token: 401 without a valid one.
 * Runs before the body is read, so a stranger cannot make the server parse a
 * megabyte; the rate limit (http/rate-limit.ts) runs after it, keyed by the
 * token it sets.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ApiError, RateLimitedError } from '../http/errors'
import type { TokenRecord } from '../store/types'
import type { AuthFailureLimiter } from './failures'
import type { TokenService } from './tokens'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on routes that need a token. */
    token: TokenRecord | null
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '')
  return match?.[1]
}

/**
 * The hook. With `failures`, a failed authentication counts against the
 * client's address (request.ip: the proxy's X-Forwarded-For under
 * TRUST_PROXY), and past its limit is answered 429 instead of 401.
 */
export function authGuard(tokens: TokenService, failures?: AuthFailureLimiter) {
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization
    const presented = bearerToken(header)
    const token = await tokens.verify(presented)
    if (!token) {
      const wait = failures?.fail(request.ip) ?? null
      if (wait !== null) throw new RateLimitedError(wait)
      reply.header('www-authenticate', 'Bearer')
      // A lost phone's token revoked with a wipe: tell it to delete its incident data.
      if (await tokens.isWiped(presented))
        throw new ApiError(401, 'wiped', 'this phone was wiped by the team’s admin: its access token was revoked')
      throw new ApiError(
        401,
        'unauthorized',
        header ? 'the access token is not valid or was revoked' : 'send Authorization: Bearer <token>',
      )
    }
    request.token = token
  }
}

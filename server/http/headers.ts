/**
 * Headers on every response: a strict CSP (the app ships no inline script or
 * style: Vite emits SFC styles as CSS files) and CORS for /api, because the app
 * may be pointed at a server on another origin. Tokens travel in the
 * Authorization header, never in cookies, so allowing any origin leaks nothing.
 */
import type { FastifyInstance } from 'fastify'

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  // The sync server may live elsewhere (Settings → Server URL).
  "connect-src 'self' https: http:",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ')

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Authorization, Content-Type, Last-Event-ID',
  'access-control-expose-headers': 'Retry-After',
  'access-control-max-age': '86400',
}

export const isApiPath = (url: string): boolean => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?')

export function registerHeaders(app: FastifyInstance): void {
  // onRequest, not onSend: the SSE route writes its own head and copies these.
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(SECURITY_HEADERS)
    if (isApiPath(request.url)) reply.headers(CORS_HEADERS)
  })
  // Preflight: answered without a token, as browsers send none with it.
  app.options('/api/*', async (_request, reply) => reply.status(204).send())
}

/**
 * Headers on every response: a strict CSP (the app ships no inline script or
 * style: Vite emits SFC styles as CSS files) and CORS for /api, because the app
 * may be pointed at a server on another origin. Tokens travel in the
 * Authorization header, never in cookies, so allowing any origin leaks nothing.
 *
 * The security headers come from @fastify/helmet with only the three headers
 * this server has always sent switched on; helmet's other defaults (HSTS,
 * COOP/CORP, X-Frame-Options…) stay off so that adopting it changed no header.
 */
import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

/** The policy, directive by directive, in the order it is sent. */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  // The sync server may live elsewhere (Settings → Server URL).
  'connect-src': ["'self'", 'https:', 'http:'],
  'worker-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'frame-ancestors': ["'none'"],
}

/** The Content-Security-Policy header as helmet writes it (directives joined by `;`). */
export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([name, values]) => `${name} ${values.join(' ')}`)
  .join(';')

export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Authorization, Content-Type, Last-Event-ID',
  'access-control-expose-headers': 'Retry-After',
  'access-control-max-age': '86400',
}

export const isApiPath = (url: string): boolean => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?')

/**
 * Registers the security headers (every response, errors and 404s included),
 * the CORS headers on /api and the token-free preflight answer.
 */
export async function registerHeaders(app: FastifyInstance): Promise<void> {
  // Helmet and the CORS hook both run onRequest: the SSE route writes its own head and copies these.
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { ...CSP_DIRECTIVES } },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    strictTransportSecurity: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: false,
    xPermittedCrossDomainPolicies: false,
    xPoweredBy: false,
    xXssProtection: false,
  })
  app.addHook('onRequest', async (request, reply) => {
    if (isApiPath(request.url)) reply.headers(CORS_HEADERS)
  })
  // Preflight: answered without a token, as browsers send none with it.
  app.options('/api/*', async (_request, reply) => reply.status(204).send())
}

/**
 * The built app. Hashed files under /assets/ never change, so they are cached
 * for a year; the service worker, index.html and the manifest must be checked
 * on every load, or a phone would keep an old app forever.
 * Any other GET that is not a file is a client route: it gets index.html,
 * except /status: the stakeholder status page (status.html), a page of its own.
 */
import { existsSync } from 'node:fs'
import { basename, join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

const REVALIDATE = new Set(['sw.js', 'index.html', 'manifest.webmanifest', 'status.html'])
const NO_CACHE = 'no-cache'
const IMMUTABLE = 'public, max-age=31536000, immutable'
const SHORT = 'public, max-age=3600'

export function cacheControlFor(urlPath: string): string {
  if (urlPath.startsWith('/assets/')) return IMMUTABLE
  if (REVALIDATE.has(basename(urlPath)) || urlPath.endsWith('/')) return NO_CACHE
  return SHORT
}

export async function staticRoutes(app: FastifyInstance, { distDir }: { distDir: string }): Promise<void> {
  await app.register(fastifyStatic, {
    root: distDir,
    wildcard: true,
    cacheControl: false,
    dotfiles: 'ignore',
    // The build writes .br/.gz beside each text file (vite.config.ts precompress); sent when the browser accepts them.
    preCompressed: true,
    setHeaders(res, filePath) {
      // filePath is on disk; the URL form is what the rules are written in.
      // A precompressed sibling (index.html.br) is cached as the file it stands for.
      const rel = filePath
        .slice(distDir.length)
        .split('\\')
        .join('/')
        .replace(/\.(br|gz)$/, '')
      res.setHeader('cache-control', cacheControlFor(rel.startsWith('/') ? rel : `/${rel}`))
      // The body depends on Accept-Encoding (preCompressed): shared caches must keep one copy per encoding.
      res.setHeader('vary', 'Accept-Encoding')
    },
  })
  // Status links are `/status#<token>`: the page reads the token from the fragment.
  if (existsSync(join(distDir, 'status.html')))
    app.get('/status', (_request, reply) => reply.sendFile('status.html', distDir))
}

/**
 * shell_gzip_kb: the JS and CSS the first route (/incidents) loads, gzipped.
 * From dist/index.html (entry script, modulepreloads, stylesheets) plus what
 * Chromium actually fetched while opening /incidents (chunks the router or the
 * boot code import on the way), so a lazy import that runs at start counts.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

/** Asset paths (`/assets/…`) index.html makes the browser load before anything runs. */
export function shellAssets(distDir: string): string[] {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8')
  const out = new Set<string>()
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1]
    const isScript = /^<script/i.test(tag) && attr('type') === 'module' && attr('src')
    const rel = attr('rel')
    const isLink = /^<link/i.test(tag) && (rel === 'modulepreload' || rel === 'stylesheet')
    const path = isScript ? attr('src') : isLink ? attr('href') : undefined
    if (path && /\.(m?js|css)$/.test(path)) out.add(path)
  }
  return [...out]
}

/** `assets` are URL paths from the site root; kB = 1000 bytes, as Vite prints them. */
export function gzipKb(
  distDir: string,
  assets: Iterable<string>,
): { kb: number; files: { path: string; gzipBytes: number }[] } {
  const files = [...new Set(assets)]
    .sort()
    .map((path) => ({ path, gzipBytes: gzipSync(readFileSync(join(distDir, path)), { level: 9 }).length }))
  return { kb: files.reduce((sum, f) => sum + f.gzipBytes, 0) / 1000, files }
}

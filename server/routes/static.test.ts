import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, fakeDist, tempDir, type TestApp } from '../test-support'

/** What the build writes (vite.config.ts precompress): the file and its .br/.gz siblings. */
const SCRIPT = `export const text = ${JSON.stringify('Declare incident. '.repeat(200))}\n`
const PAGE = `<!doctype html><title>Command Post</title><div id="app"></div><!-- ${'x'.repeat(2000)} -->`

describe('static files: precompressed', () => {
  const dist = tempDir('cp-dist-br-')
  let t: TestApp
  beforeAll(async () => {
    fakeDist(dist.path)
    for (const [name, body] of [
      ['assets/app-abc123.js', SCRIPT],
      ['index.html', PAGE],
    ] as const) {
      writeFileSync(join(dist.path, name), body)
      writeFileSync(join(dist.path, `${name}.br`), brotliCompressSync(body))
      writeFileSync(join(dist.path, `${name}.gz`), gzipSync(body))
    }
    t = await createTestApp({ distDir: dist.path })
  })
  afterAll(async () => {
    await t.close()
    dist.remove()
  })

  it('sends brotli to a browser that accepts it, as the same script, cached as the script', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/assets/app-abc123.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-encoding']).toBe('br')
    expect(res.headers.vary).toMatch(/accept-encoding/i)
    expect(res.headers['content-type']).toMatch(/javascript/)
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(SCRIPT)
  })

  it('sends gzip when brotli is not accepted', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/assets/app-abc123.js',
      headers: { 'accept-encoding': 'gzip' },
    })
    expect(res.headers['content-encoding']).toBe('gzip')
    expect(res.headers.vary).toMatch(/accept-encoding/i)
    expect(gunzipSync(res.rawPayload).toString()).toBe(SCRIPT)
  })

  it('sends the plain file to a client that accepts no encoding', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/assets/app-abc123.js',
      headers: { 'accept-encoding': 'identity' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.body).toBe(SCRIPT)
  })

  it('compresses index.html at / and keeps it uncached (no-cache), never as a long-lived .br file', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'br' } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-encoding']).toBe('br')
    expect(res.headers.vary).toMatch(/accept-encoding/i)
    expect(res.headers['content-type']).toMatch(/text\/html/)
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(PAGE)
  })

  it('compresses the client-route fallback (index.html) too', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/incidents/01JABCDEF',
      headers: { 'accept-encoding': 'gzip' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/html/)
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(res.headers['content-encoding']).toBe('gzip')
    expect(res.headers.vary).toMatch(/accept-encoding/i)
    expect(gunzipSync(res.rawPayload).toString()).toBe(PAGE)
  })
})

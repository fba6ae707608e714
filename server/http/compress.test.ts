/** Compressed answers (http/compress.ts): JSON reads shrink on the wire; the stream, pushes and small answers do not change. */
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { newId } from '../../src/domain/ids'
import { makeEvent, makeEvents } from '../../tests/fixtures/events'
import { IncidentProjection } from '../incidents/projection'
import { openSqliteStore } from '../store/sqlite'
import { TestApps, type TestApp } from '../test-support'
import { COMPRESS_THRESHOLD } from './compress'

const apps = new TestApps({ heartbeatMs: 60_000 })
afterEach(() => apps.closeAll())

/** An app with the server's incident overviews, holding `incidents` incidents of 3 events each. */
async function appWithIncidents(incidents: number): Promise<TestApp & { incidentId: string }> {
  const store = openSqliteStore(':memory:')
  const projection = new IncidentProjection({ store, pollMs: 0 })
  await projection.start()
  const t = await apps.app({ store, incidents: projection })
  const events = []
  for (let i = 0; i < incidents; i++) {
    const incidentId = newId()
    events.push(
      makeEvent('incident.declared', { title: `Outage ${i}`, severity: 2 }, { incidentId }),
      makeEvent('log.entry', { text: `Outage ${i}: first note`, kind: 'note' }, { incidentId }),
      makeEvent('log.entry', { text: `Outage ${i}: second note`, kind: 'note' }, { incidentId }),
    )
  }
  const res = await t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events } })
  expect(res.json().accepted).toHaveLength(events.length)
  return Object.assign(t, { incidentId: events[0]!.incidentId })
}

const get = (t: TestApp, url: string, acceptEncoding?: string) =>
  t.app.inject({
    method: 'GET',
    url,
    headers: { ...t.auth, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) },
  })

describe('compressed answers', () => {
  it('sends the overviews as brotli to a client that accepts it, the same JSON once decoded', async () => {
    const t = await appWithIncidents(50)
    const plain = await get(t, '/api/summaries')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.rawPayload.length).toBeGreaterThan(COMPRESS_THRESHOLD)

    const br = await get(t, '/api/summaries', 'gzip, deflate, br')
    expect(br.statusCode).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toMatch(/accept-encoding/i)
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3)
    expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString())).toEqual(plain.json())
  })

  it('sends gzip when brotli is not accepted: pull pages and one incident’s events', async () => {
    const t = await appWithIncidents(50)
    for (const url of ['/api/events?after=0', `/api/incidents/${t.incidentId}/events`, '/api/summaries']) {
      const plain = await get(t, url)
      const gz = await get(t, url, 'gzip')
      expect(gz.statusCode, url).toBe(200)
      expect(gz.headers['content-encoding'], url).toBe('gzip')
      expect(JSON.parse(gunzipSync(gz.rawPayload).toString()), url).toEqual(plain.json())
    }
  })

  it('leaves answers below the threshold as they are', async () => {
    const t = await appWithIncidents(1)
    const me = await get(t, '/api/me', 'gzip, br')
    expect(me.statusCode).toBe(200)
    expect(me.rawPayload.length).toBeLessThan(COMPRESS_THRESHOLD)
    expect(me.headers['content-encoding']).toBeUndefined()
  })

  it('never compresses the push answer, however long: ingest does no compression work', async () => {
    const t = await apps.app()
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/events',
      headers: { ...t.auth, 'accept-encoding': 'gzip, br' },
      payload: { events: makeEvents(200) },
    })
    expect(res.statusCode).toBe(200)
    expect(res.rawPayload.length).toBeGreaterThan(COMPRESS_THRESHOLD)
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.json().accepted).toHaveLength(200)
  })

  it('does not decompress request bodies: a gzipped push is not JSON, and nothing is stored', async () => {
    const t = await apps.app()
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/events',
      headers: { ...t.auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: gzipSync(JSON.stringify({ events: makeEvents(3) })),
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('invalid_json')
    expect((await t.store.readEventsAfter(0, 10)).events).toHaveLength(0)
  })

  it('never compresses or holds back the live stream, though the client accepts gzip and brotli', async () => {
    const t = await apps.live()
    const [a, b] = makeEvents(2)
    const { response, sse } = await apps.stream(t, '', { 'accept-encoding': 'gzip, deflate, br' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(response.headers.get('content-encoding')).toBeNull()
    expect((await sse.next(undefined, true)).comment).toBe('connected')
    // Each push reaches the open stream on its own: a compressor would sit on these few bytes.
    const push = (events: unknown[]) =>
      t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events } })
    await push([a])
    expect((await sse.next()).id).toBe('1')
    await push([b])
    expect((await sse.next()).id).toBe('2')
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import type { FetchLike } from '../sync/api'
import { freshApp } from '../../tests/fixtures/app'
import { FakeSyncServer, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { useIncidentsStore } from './incidents'
import { useStatusLinksStore } from './status-links'
import { useSyncStore } from './sync'

afterEach(() => {
  useSyncStore().stop()
  useIncidentsStore().stop()
})

/** The server's rule (server/routes/status.ts): a link only for an incident it holds. */
function statusLinkServer(server: FakeSyncServer): FetchLike {
  return async (input, init) => {
    const body = JSON.parse(String(init?.body)) as { incidentId: string }
    const held = server.stored.some((e) => e.type === 'incident.declared' && e.incidentId === body.incidentId)
    if (!held)
      return new Response(
        JSON.stringify({
          error: 'not_found',
          message: 'this server does not hold that incident yet: sync, then try again',
        }),
        { status: 404, headers: { 'content-type': 'application/json' } },
      )
    const info = {
      id: 1,
      incidentId: body.incidentId,
      createdAt: new Date().toISOString(),
      createdBy: 'Dana',
      revokedAt: null,
    }
    const link = `${String(input).replace(/\/api\/.*$/, '')}/status#${'a'.repeat(43)}`
    return new Response(JSON.stringify({ link, info }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    })
  }
}

describe('status links store', () => {
  it('makes a link right after declaring: what waits to be sent goes first', async () => {
    await freshApp()
    const server = new FakeSyncServer()
    const sync = useSyncStore()
    await sync.start({ fetch: server.fetch })
    expect((await sync.join('', TEST_TOKEN)).ok).toBe(true)
    const incidents = useIncidentsStore()
    const declared = await incidents.declare({ title: 'Gym Wi-Fi down', severity: 2 })
    if (!declared.ok) throw new Error(declared.reason)

    const links = useStatusLinksStore()
    links.useFetch(statusLinkServer(server))
    const made = await links.create(declared.value)
    expect(made.info.incidentId).toBe(declared.value)
    expect(server.stored.map((e) => e.type)).toEqual(['incident.declared'])
  })
})

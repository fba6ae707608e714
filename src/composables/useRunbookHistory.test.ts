import { afterEach, describe, expect, it } from 'vitest'
import { effectScope } from 'vue'
import { freshApp } from '../../tests/fixtures/app'
import { useIncidentsStore } from '../stores/incidents'
import { useRunbookEditorStore } from '../stores/runbook-editor'
import { useSyncStore } from '../stores/sync'
import { useRunbookHistory } from './useRunbookHistory'

afterEach(() => useIncidentsStore().stop())

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

const BASE = '# Switch\n\n## Steps\n- [ ] Check power\n- [ ] Ping it\n\n## Escalate\nCall the NOC\n'

/** Version 1 (base), 2 (published, edited from 1) and 3 (a proposal edited from 1: stale). */
function server(published: string, mine: string, publishAnswer = json(200, {})) {
  const sources: Record<number, string> = { 1: BASE, 2: published, 3: mine }
  const info = (version: number) => ({
    id: 'switch',
    version,
    title: 'Switch',
    reviewBy: null,
    author: version === 3 ? 'Ana' : 'Ben',
    at: '2026-12-01T08:00:00.000Z',
    note: version === 3 ? 'Ping twice' : '',
    baseVersion: version === 1 ? null : 1,
    status: version === 3 ? 'proposed' : 'published',
    publishedAt: null,
    publishedBy: null,
    stale: version === 3,
  })
  return async (url: string): Promise<Response> => {
    if (url.endsWith('/publish')) return publishAnswer
    if (url.endsWith('/versions'))
      return json(200, { id: 'switch', publishedVersion: 2, versions: [info(1), info(2), info(3)] })
    const version = Number(/\/versions\/(\d+)$/.exec(url)?.[1])
    return json(200, { ...info(version), source: sources[version] })
  }
}

async function setup(fetchFn: (url: string) => Promise<Response>) {
  await freshApp()
  useSyncStore().token = 'token-a'
  const store = useRunbookEditorStore()
  store.useFetch(fetchFn)
  const history = effectScope().run(() => useRunbookHistory({ id: () => 'switch' }))!
  await history.load()
  return { store, history }
}

describe('useRunbookHistory merge', () => {
  it('merges a stale proposal cleanly into a draft edited from the published version', async () => {
    const published = BASE.replace('Call the NOC', 'Call the NOC on 555-0100')
    const mine = BASE.replace('Ping it', 'Ping it twice')
    const { store, history } = await setup(server(published, mine))
    expect(await history.merge(3)).toBe(true)
    expect((await store.openDraft('switch')).draft).toMatchObject({
      source: BASE.replace('Ping it', 'Ping it twice').replace('Call the NOC', 'Call the NOC on 555-0100'),
      baseVersion: 2,
      note: 'Ping twice (merged with version 2)',
    })
    expect(history.conflicts.value).toBeNull()
  })

  it('shows conflicts and writes nothing when both changed the same lines', async () => {
    const { store, history } = await setup(
      server(BASE.replace('Ping it', 'Ping the gateway'), BASE.replace('Ping it', 'Ping it twice')),
    )
    expect(await history.merge(3)).toBe(false)
    expect(history.conflicts.value).toMatchObject({ mine: 3, theirs: 2, result: { conflicts: 1 } })
    expect((await store.openDraft('switch')).draft).toBeNull()
  })

  it('never overwrites a draft already on this phone', async () => {
    const { store, history } = await setup(
      server(BASE.replace('Call the NOC', 'Call'), BASE.replace('Ping it', 'Ping it twice')),
    )
    const mine = { key: 'switch', runbookId: 'switch', source: 'my own', note: '', baseVersion: 2, updatedAt: '' }
    await store.saveDraft(mine)
    expect(await history.merge(3)).toBe(false)
    expect(history.failure.value).toMatch(/holds a draft of this runbook/)
    expect((await store.openDraft('switch')).draft?.source).toBe('my own')
  })

  it('shows the server’s refusal of a publish and changes nothing', async () => {
    const message = 'review is required (RUNBOOK_REVIEW=required): someone other than Ana must publish version 3'
    const { history } = await setup(server(BASE, BASE, json(403, { error: { code: 'forbidden', message } })))
    await history.publish(3)
    expect(history.failure.value).toBe(message)
    expect(history.message.value).toBe('')
  })
})

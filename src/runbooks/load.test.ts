import { describe, expect, it, vi } from 'vitest'
import { loadRunbook, RunbookLoadError, runbookUrl } from './load'
import type { RunbookPage } from './types'

const page: RunbookPage = {
  id: 'network/switch-down',
  title: 'Switch down',
  summary: 'One closet is dark.',
  tags: ['network'],
  updated: '2026-11-24',
  reviewed: '2026-11-24',
  reviewBy: '2027-11-24',
  version: 'v1',
  stepCount: 1,
  html: '<p>Hi</p>',
  toc: [],
  steps: [{ index: 0, id: 'first', text: 'Ping it', checked: false }],
  parameters: [],
}

const respond = (body: string, status = 200) =>
  vi.fn<typeof fetch>(async () => new Response(body, { status, headers: { 'Content-Type': 'application/json' } }))

describe('loadRunbook', () => {
  it('fetches runbooks/<id>.json under the base URL', async () => {
    const fetch = respond(JSON.stringify(page))
    await expect(loadRunbook('network/switch-down', { fetch })).resolves.toEqual(page)
    expect(fetch.mock.calls[0]?.[0]).toBe('/runbooks/network/switch-down.json')
    expect(runbookUrl('a/b.c')).toBe(`${import.meta.env.BASE_URL}runbooks/a/b.c.json`)
  })

  it('refuses ids that could reach other files, without fetching', async () => {
    const fetch = respond('{}')
    for (const id of ['../sw', 'a/../../index', '', 'x y']) {
      await expect(loadRunbook(id, { fetch })).rejects.toMatchObject({ name: 'RunbookLoadError', reason: 'not-found' })
    }
    expect(fetch).not.toHaveBeenCalled()
  })

  it('tells not-found from offline', async () => {
    await expect(loadRunbook('gone', { fetch: respond('nope', 404) })).rejects.toMatchObject({
      reason: 'not-found',
      id: 'gone',
    })
    await expect(loadRunbook('busy', { fetch: respond('', 503) })).rejects.toMatchObject({ reason: 'offline' })
    const offline = vi.fn<typeof fetch>(async () => {
      throw new TypeError('Failed to fetch')
    })
    const error = await loadRunbook('switch-down', { fetch: offline }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RunbookLoadError)
    expect(error).toMatchObject({ reason: 'offline' })
  })

  it('treats an HTML fallback page or a foreign shape as not found', async () => {
    await expect(
      loadRunbook('switch-down', { fetch: respond('<!doctype html><title>Command Post</title>') }),
    ).rejects.toMatchObject({ reason: 'not-found' })
    await expect(loadRunbook('switch-down', { fetch: respond(JSON.stringify(page)) })).rejects.toMatchObject({
      reason: 'not-found',
    })
  })

  it('lets an abort through as an abort', async () => {
    const controller = new AbortController()
    const fetch = vi.fn<typeof globalThis.fetch>(async () => {
      throw new DOMException('aborted', 'AbortError')
    })
    controller.abort()
    await expect(loadRunbook('switch-down', { fetch, signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    })
  })
})

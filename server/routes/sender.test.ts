import { afterEach, describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { TestApps } from '../test-support'
import type { TestApp } from '../test-support'

const apps = new TestApps({ heartbeatMs: 60_000 })
afterEach(() => apps.closeAll())

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const push = (t: TestApp, events: unknown[], headers = t.auth) =>
  t.app.inject({ method: 'POST', url: '/api/events', headers, payload: { events } })
const pullEvents = async (t: TestApp) =>
  (await t.app.inject({ method: 'GET', url: '/api/events', headers: t.auth })).json().events as Record<
    string,
    unknown
  >[]

describe('receivedFrom: the server records who sent each event', () => {
  it('stamps each stored event with the authenticated token, returned on pull', async () => {
    const t = await apps.app()
    const dana = await t.tokens.issue('Dana')
    const scribe = makeEvent('log.entry', { text: 'for the commander' }, { actor: { id: 'cmd', name: 'Sam' } })
    const own = makeEvent('log.entry')
    await push(t, [scribe], bearer(dana.token))
    await push(t, [own])
    const [first, second] = await pullEvents(t)
    expect(first).toMatchObject({ id: scribe.id, receivedFrom: { tokenId: dana.record.id, name: 'Dana' } })
    expect(second).toMatchObject({ id: own.id, receivedFrom: { name: 'Tester' } })
    // The event's own content is unchanged: the actor is still who the client said.
    expect(first!.actor).toEqual({ id: 'cmd', name: 'Sam' })
  })

  it("ignores a receivedFrom sent by the client: the server's own wins", async () => {
    const t = await apps.app()
    const forged = { ...makeEvent('log.entry'), receivedFrom: { tokenId: 999, name: 'The Commander' } }
    expect((await push(t, [forged])).json().accepted).toEqual([forged.id])
    const [stored] = await pullEvents(t)
    expect(stored!.receivedFrom).toEqual({ tokenId: expect.any(Number), name: 'Tester' })
  })

  it('keeps the sender out of the content: the same event through another token is a duplicate, first sender kept', async () => {
    const t = await apps.app()
    const dana = await t.tokens.issue('Dana')
    const event = makeEvent('log.entry')
    await push(t, [event])
    const again = await push(t, [{ ...event, receivedFrom: { tokenId: 1, name: 'x' } }], bearer(dana.token))
    expect(again.json()).toMatchObject({ accepted: [], duplicate: [event.id], rejected: [] })
    expect((await pullEvents(t))[0]!.receivedFrom).toMatchObject({ name: 'Tester' })
  })

  it('carries receivedFrom on the stream', async () => {
    const t = await apps.live()
    const dana = await t.tokens.issue('Dana')
    const event = makeEvent('log.entry')
    await push(t, [event], bearer(dana.token))
    const { sse } = await apps.stream(t)
    const message = await sse.next()
    expect(JSON.parse(message.data!)).toEqual({
      ...event,
      seq: 1,
      receivedFrom: { tokenId: dana.record.id, name: 'Dana' },
    })
  })
})

describe('read-only tokens', () => {
  it('pull and stream, but every push is 403 read_only and stores nothing', async () => {
    const t = await apps.live()
    const pat = await t.tokens.issue('Pat', { readOnly: true })
    const event = makeEvent('log.entry')
    await push(t, [event])
    const refused = await push(t, [makeEvent('log.entry')], bearer(pat.token))
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toEqual({ error: { code: 'read_only', message: expect.stringContaining('read-only') } })
    // Even a body the schema would refuse is answered read_only: the token is checked first.
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/events', headers: bearer(pat.token) })).json().error.code,
    ).toBe('read_only')
    const pulled = await t.app.inject({ method: 'GET', url: '/api/events', headers: bearer(pat.token) })
    expect(pulled.statusCode).toBe(200)
    expect(pulled.json().events.map((e: { id: string }) => e.id)).toEqual([event.id])
    const { response, sse } = await apps.stream(t, '', bearer(pat.token))
    expect(response.status).toBe(200)
    expect(JSON.parse((await sse.next()).data!).id).toBe(event.id)
  })

  it('can be made read-only, and writable again, by name', async () => {
    const t = await apps.app()
    const lee = await t.tokens.issue('Lee')
    expect(await t.tokens.setReadOnly('Lee', true)).toBe(1)
    expect((await push(t, [makeEvent('log.entry')], bearer(lee.token))).statusCode).toBe(403)
    expect(await t.tokens.setReadOnly('Lee', false)).toBe(1)
    expect((await push(t, [makeEvent('log.entry')], bearer(lee.token))).statusCode).toBe(200)
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { TestApps } from '../test-support'

const apps = new TestApps()
afterEach(() => apps.closeAll())

async function setup() {
  const t = await apps.app({ publicUrl: 'https://cp.example/' })
  const ada = await t.tokens.issue('Ada', { admin: true })
  const as = (token: string) => ({ authorization: `Bearer ${token}` })
  const call = (method: 'GET' | 'POST', url: string, token = ada.token, payload?: Record<string, unknown>) =>
    t.app.inject({ method, url, headers: as(token), ...(payload !== undefined && { payload }) })
  return { t, ada, as, call }
}

describe('GET /api/me', () => {
  it('answers the name and grants of the token asking', async () => {
    const { t, call } = await setup()
    expect((await call('GET', '/api/me')).json()).toEqual({ name: 'Ada', readOnly: false, admin: true })
    expect((await call('GET', '/api/me', t.token)).json()).toEqual({ name: 'Tester', readOnly: false, admin: false })
  })
})

describe('admin routes', () => {
  it('refuse a token that is not an admin’s with 403 forbidden, and record nothing', async () => {
    const { t, call } = await setup()
    for (const [method, url, body] of [
      ['GET', '/api/admin/tokens', undefined],
      ['POST', '/api/admin/tokens', { name: 'Eve' }],
      ['POST', '/api/admin/tokens/read-only', { name: 'Ada', readOnly: true }],
      ['POST', '/api/admin/tokens/revoke', { name: 'Ada' }],
      ['GET', '/api/admin/audit', undefined],
    ] as const) {
      const res = await call(method, url, t.token, body)
      expect(res.statusCode).toBe(403)
      expect(res.json().error.code).toBe('forbidden')
    }
    expect((await call('GET', '/api/admin/audit')).json().actions).toEqual([])
    expect((await t.tokens.list()).map((x) => x.name)).toEqual(['Tester', 'Ada'])
  })

  it('list people, their tokens and the devices seen sending through each', async () => {
    const { t, call } = await setup()
    const scribe = { authorization: t.auth.authorization }
    const phoneA = makeEvent('log.entry', {}, { actor: { id: 'phone-a', name: 'Tess' } })
    const phoneB = makeEvent('log.entry', {}, { actor: { id: 'phone-b', name: 'Tess B' } })
    await t.app.inject({ method: 'POST', url: '/api/events', headers: scribe, payload: { events: [phoneA, phoneB] } })
    const { tokens } = (await call('GET', '/api/admin/tokens')).json()
    const tester = tokens.find((x: { name: string }) => x.name === 'Tester')
    expect(tester).toMatchObject({ readOnly: false, admin: false, revokedAt: null })
    expect(tester.devices.map((d: { actorId: string; events: number }) => [d.actorId, d.events]).sort()).toEqual([
      ['phone-a', 1],
      ['phone-b', 1],
    ])
    expect(JSON.stringify(tokens)).not.toContain(t.token)
  })

  it('issue a token with its join link, make it read-only, revoke it, and record each action', async () => {
    const { t, ada, call, as } = await setup()
    const issued = (await call('POST', '/api/admin/tokens', ada.token, { name: ' Dana ' })).json()
    expect(issued.name).toBe('Dana')
    expect(issued.link).toBe(`https://cp.example/#/join?token=${issued.token}&name=Dana`)
    expect((await t.tokens.verify(issued.token))?.name).toBe('Dana')

    expect(
      (await call('POST', '/api/admin/tokens/read-only', ada.token, { name: 'Dana', readOnly: true })).json(),
    ).toEqual({ changed: 1 })
    const push = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/events',
        headers: as(issued.token),
        payload: { events: [makeEvent('log.entry')] },
      })
    expect((await push()).json().error.code).toBe('read_only')

    expect((await call('POST', '/api/admin/tokens/revoke', ada.token, { name: 'Dana' })).json()).toEqual({ changed: 1 })
    expect((await push()).statusCode).toBe(401)
    expect((await call('POST', '/api/admin/tokens/revoke', ada.token, { name: 'Dana' })).statusCode).toBe(404)

    const { actions } = (await call('GET', '/api/admin/audit')).json()
    expect(
      actions.map((a: { action: string; target: string; actorName: string }) => [a.action, a.target, a.actorName]),
    ).toEqual([
      ['revoke', 'Dana', 'Ada'],
      ['read_only', 'Dana', 'Ada'],
      ['issue', 'Dana', 'Ada'],
    ])
  })

  it('refuse a blank name with a message naming the field', async () => {
    const { call } = await setup()
    const res = await call('POST', '/api/admin/tokens', undefined, { name: '   ' })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.message).toBe('name must not be empty')
  })

  it('refuse a name with a control character (PostgreSQL’s text cannot hold NUL)', async () => {
    const { call } = await setup()
    const res = await call('POST', '/api/admin/tokens', undefined, { name: 'Dana\u0000' })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.message).toBe('name must not contain control characters')
  })
})

describe('revoking with a wipe', () => {
  it('answers the wiped phone 401 wiped at its next contact; a plain revoke stays unauthorized', async () => {
    const { t, call, as } = await setup()
    const lost = (await call('POST', '/api/admin/tokens', undefined, { name: 'Lost' })).json()
    const kept = (await call('POST', '/api/admin/tokens', undefined, { name: 'Kept' })).json()
    await call('POST', '/api/admin/tokens/revoke', undefined, { name: 'Lost', wipe: true })
    await call('POST', '/api/admin/tokens/revoke', undefined, { name: 'Kept' })
    const pull = (token: string) => t.app.inject({ method: 'GET', url: '/api/events', headers: as(token) })
    const wiped = await pull(lost.token)
    expect(wiped.statusCode).toBe(401)
    expect(wiped.json().error.code).toBe('wiped')
    expect((await pull(kept.token)).json().error.code).toBe('unauthorized')
    expect((await call('GET', '/api/admin/audit')).json().actions[1]).toMatchObject({
      action: 'revoke_wipe',
      target: 'Lost',
    })
  })
})

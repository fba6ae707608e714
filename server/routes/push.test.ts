/** /api/push: the key, subscribing with choices, refusals that name the field, removing. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { browserKeys } from '../../tests/fixtures/push-receiver'
import { createTestApp, type TestApp } from '../test-support'

let t: TestApp
beforeEach(async () => {
  t = await createTestApp({
    push: { publicKey: 'BPublicKeyForTests', endpointHosts: ['fcm.googleapis.com', '*.push.apple.com'] },
  })
})
afterEach(() => t.close())

const keys = browserKeys()
const body = (over: Record<string, unknown> = {}) => ({
  endpoint: 'https://fcm.googleapis.com/fcm/send/abc123',
  keys: { p256dh: keys.p256dh, auth: keys.auth },
  person: { id: 'dana-phone', name: 'Dana' },
  topics: ['role-assigned', 'update-due'],
  ...over,
})

describe('/api/push', () => {
  it('answers the VAPID public key to a token holder only', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/api/push/key', headers: t.auth })
    expect(ok.json()).toEqual({ publicKey: 'BPublicKeyForTests' })
    expect((await t.app.inject({ method: 'GET', url: '/api/push/key' })).statusCode).toBe(401)
  })

  it('keeps a subscription under the token that sent it, with its choices in a fixed order', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/push/subscriptions', headers: t.auth, payload: body() })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ topics: ['update-due', 'role-assigned'] })
    const [stored] = await t.store.listPushSubscriptions()
    expect(stored).toMatchObject({
      endpoint: 'https://fcm.googleapis.com/fcm/send/abc123',
      person: { id: 'dana-phone', name: 'Dana' },
      topics: ['update-due', 'role-assigned'],
    })
    // A read-only observer may subscribe too: nothing here writes an event.
    const { token } = await t.tokens.issue('Observer', { readOnly: true })
    const ro = await t.app.inject({
      method: 'POST',
      url: '/api/push/subscriptions',
      headers: { authorization: `Bearer ${token}` },
      payload: body({ endpoint: 'https://web.push.apple.com/xyz', topics: ['major-declared'] }),
    })
    expect(ro.statusCode).toBe(200)
    expect(await t.store.listPushSubscriptions()).toHaveLength(2)
  })

  it.each([
    [{ endpoint: 'http://fcm.googleapis.com/fcm/send/abc' }, /^endpoint must be an https URL/],
    [
      { endpoint: 'https://169.254.169.254/latest/meta-data' },
      /^endpoint must be an https URL of a browser push service/,
    ],
    [{ endpoint: 'https://evil.example/push.apple.com' }, /^endpoint must be/],
    [{ endpoint: 'not a url' }, /^endpoint must be a URL/],
    [{ keys: { p256dh: 'short', auth: keys.auth } }, /^keys\.p256dh must be 65 bytes/],
    [{ keys: { p256dh: keys.p256dh, auth: 'x' } }, /^keys\.auth must be 16 bytes/],
    [{ keys: 'none' }, /^keys must be/],
    [{ person: { name: '\u200b' } }, /^person\.name must contain visible text/],
    [{ topics: ['everything'] }, /^topics may only name/],
  ])('refuses %j with a message naming the field', async (over, message) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/push/subscriptions',
      headers: t.auth,
      payload: body(over),
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('bad_request')
    expect(res.json().error.message).toMatch(message)
    expect(await t.store.listPushSubscriptions()).toEqual([])
  })

  it('removes only the asking token’s subscription', async () => {
    await t.app.inject({ method: 'POST', url: '/api/push/subscriptions', headers: t.auth, payload: body() })
    const { token } = await t.tokens.issue('Sam')
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/push/subscriptions/remove',
      headers: { authorization: `Bearer ${token}` },
      payload: { endpoint: body().endpoint },
    })
    expect(other.json()).toEqual({ removed: false })
    const own = await t.app.inject({
      method: 'POST',
      url: '/api/push/subscriptions/remove',
      headers: t.auth,
      payload: { endpoint: body().endpoint },
    })
    expect(own.json()).toEqual({ removed: true })
    expect(await t.store.listPushSubscriptions()).toEqual([])
  })
})

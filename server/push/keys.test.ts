/** VAPID keys: from the environment (checked), else made once and kept in the store; and the push settings. */
import webpush from 'web-push'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../config'
import { openSqliteStore } from '../store/sqlite'
import type { Store } from '../store/types'
import { DEFAULT_PUSH_HOSTS, isAllowedEndpoint } from './endpoints'
import { FALLBACK_SUBJECT, loadVapidKeys } from './keys'

const stores: Store[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})
const store = () => {
  const s = openSqliteStore(':memory:')
  stores.push(s)
  return s
}

describe('loadVapidKeys', () => {
  it('makes keys on the first start and reads the same ones afterwards', async () => {
    const s = store()
    const first = await loadVapidKeys(s, { publicUrl: 'https://cp.district.example' })
    expect(Buffer.from(first.publicKey, 'base64url')).toHaveLength(65)
    expect(Buffer.from(first.privateKey, 'base64url')).toHaveLength(32)
    expect(first.subject).toBe('https://cp.district.example')
    expect(await loadVapidKeys(s, { subject: 'mailto:it@district.example' })).toEqual({
      ...first,
      subject: 'mailto:it@district.example',
    })
    expect((await loadVapidKeys(s, { publicUrl: 'http://10.0.0.5:8080' })).subject).toBe(FALLBACK_SUBJECT)
  })

  it('takes both keys from the environment, checked, and refuses one alone or a bad subject', async () => {
    const keys = webpush.generateVAPIDKeys()
    expect(await loadVapidKeys(store(), { ...keys, subject: 'mailto:a@b.example' })).toEqual({
      ...keys,
      subject: 'mailto:a@b.example',
    })
    await expect(loadVapidKeys(store(), { publicKey: keys.publicKey })).rejects.toThrow(
      /both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY/,
    )
    await expect(loadVapidKeys(store(), { publicKey: 'short', privateKey: keys.privateKey })).rejects.toThrow(
      /VAPID_PUBLIC_KEY must be 65 bytes/,
    )
    await expect(loadVapidKeys(store(), { subject: 'it@district.example' })).rejects.toThrow(/VAPID_SUBJECT/)
  })
})

describe('push and status settings', () => {
  it('default to the browsers’ push services, a 15 s refresh and no team page', () => {
    const config = loadConfig({})
    expect(config.push.endpointHosts).toEqual(DEFAULT_PUSH_HOSTS)
    expect(config.statusPage).toEqual({ teamPage: false, refreshSeconds: 15 })
    const set = loadConfig({
      PUSH_ENDPOINT_HOSTS: ' push.example , *.corp.example',
      TEAM_STATUS_PAGE: '1',
      STATUS_REFRESH_SECONDS: '5',
    })
    expect(set.push.endpointHosts).toEqual(['push.example', '*.corp.example'])
    expect(set.statusPage).toEqual({ teamPage: true, refreshSeconds: 5 })
    expect(() => loadConfig({ STATUS_REFRESH_SECONDS: '0' })).toThrow(/STATUS_REFRESH_SECONDS/)
  })

  it('allow only https endpoints on the listed hosts', () => {
    expect(isAllowedEndpoint('https://fcm.googleapis.com/fcm/send/x', DEFAULT_PUSH_HOSTS)).toBe(true)
    expect(isAllowedEndpoint('https://web.push.apple.com/x', DEFAULT_PUSH_HOSTS)).toBe(true)
    expect(isAllowedEndpoint('https://updates.push.services.mozilla.com/wpush/v2/x', DEFAULT_PUSH_HOSTS)).toBe(true)
    for (const bad of [
      'http://fcm.googleapis.com/x',
      'https://push.apple.com.evil.example/x',
      'https://evilpush.apple.com/x',
      'https://user:pw@fcm.googleapis.com/x',
      'https://127.0.0.1/x',
      'not a url',
    ])
      expect(isAllowedEndpoint(bad, DEFAULT_PUSH_HOSTS), bad).toBe(false)
  })
})

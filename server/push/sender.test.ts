/**
 * The sender against a local HTTPS receiver standing in for a push service:
 * the payload decrypts with the subscription's keys (RFC 8291, decrypted here
 * independently of web-push), the VAPID signature verifies with the server's
 * public key, and 404/410 mean the subscription is gone.
 */
import webpush from 'web-push'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  browserKeys,
  decryptPush,
  startPushReceiver,
  verifyVapid,
  type PushReceiver,
} from '../../tests/fixtures/push-receiver'
import type { PushMessage } from '../../src/domain/push'
import type { PushSubscriptionRecord } from '../store/types'
import { PushSender, pushTopicHeader } from './sender'

let receiver: PushReceiver
beforeAll(async () => {
  receiver = await startPushReceiver()
})
afterAll(() => receiver.close())

const vapid = { ...webpush.generateVAPIDKeys(), subject: 'mailto:it@district.example' }

function subscription(path: string, keys = browserKeys()): { sub: PushSubscriptionRecord; keys: typeof keys } {
  return {
    keys,
    sub: {
      endpoint: `${receiver.origin}${path}`,
      tokenId: 1,
      p256dh: keys.p256dh,
      auth: keys.auth,
      person: { id: 'dana-phone', name: 'Dana' },
      topics: ['update-due'],
    },
  }
}

const message: PushMessage = {
  topic: 'update-due',
  incidentId: 'INC00000001',
  title: 'Update due: Gym Wi-Fi down',
  url: '/incidents/INC00000001/updates',
}

describe('PushSender', () => {
  it('sends a payload only the subscription’s keys decrypt, signed with the server’s VAPID key', async () => {
    const sender = new PushSender(vapid, { agent: receiver.agent })
    const { sub, keys } = subscription('/push/dana')
    const before = receiver.received.length
    expect(await sender.send(sub, message)).toEqual({ kind: 'sent', status: 201 })
    const [push] = (await receiver.waitFor(before + 1)).slice(before)
    expect(push!.path).toBe('/push/dana')
    expect(push!.headers['content-encoding']).toBe('aes128gcm')
    expect(push!.headers.ttl).toBe('3600')
    expect(push!.headers.urgency).toBe('high')
    expect(push!.headers.topic).toBe(pushTopicHeader(message))
    // What the phone reads: the message and nothing else (no log text, no token).
    const plain = decryptPush(push!.body, keys).toString('utf8')
    expect(JSON.parse(plain)).toEqual(message)
    expect(Object.keys(JSON.parse(plain) as object).sort()).toEqual(['incidentId', 'title', 'topic', 'url'])
    // Another browser's keys cannot read it.
    expect(() => decryptPush(push!.body, browserKeys())).toThrow()
    const claims = verifyVapid(push!.headers.authorization, vapid.publicKey)
    expect(claims.aud).toBe(receiver.origin)
    expect(claims.sub).toBe('mailto:it@district.example')
    expect(claims.exp * 1000).toBeGreaterThan(Date.now())
  })

  it('reports 404 and 410 as gone, other refusals and unreachable services as failed', async () => {
    const sender = new PushSender(vapid, { agent: receiver.agent, timeoutMs: 5000 })
    receiver.answer = (path) => (path === '/gone' ? 410 : path === '/missing' ? 404 : path === '/busy' ? 429 : 201)
    try {
      expect(await sender.send(subscription('/gone').sub, message)).toEqual({ kind: 'gone', status: 410 })
      expect(await sender.send(subscription('/missing').sub, message)).toEqual({ kind: 'gone', status: 404 })
      expect(await sender.send(subscription('/busy').sub, message)).toMatchObject({ kind: 'failed', status: 429 })
      const unreachable = { ...subscription('/x').sub, endpoint: 'https://127.0.0.1:1/x' }
      expect(await sender.send(unreachable, message)).toMatchObject({ kind: 'failed' })
    } finally {
      receiver.answer = () => 201
    }
  })
})

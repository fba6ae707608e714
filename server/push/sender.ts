/**
 * Sends one push message to one subscription with `web-push` (RFC 8291
 * encryption for the subscription's keys, RFC 8292 VAPID signature). The
 * payload is the PushMessage as JSON: title and incident link only.
 */
import { createHash } from 'node:crypto'
import type { Agent } from 'node:https'
import webpush from 'web-push'
import { pushTag, type PushMessage, type PushTopic } from '../../src/domain/push'
import type { PushSubscriptionRecord } from '../store/types'
import type { VapidConfig } from './keys'

/**
 * What came of one send:
 * - `sent`: the push service took it (2xx);
 * - `gone`: 404 or 410, the subscription no longer exists: forget it;
 * - `failed`: anything else (a refusal, a timeout, no network), with why.
 */
export type SendOutcome =
  | { kind: 'sent'; status: number }
  | { kind: 'gone'; status: number }
  | { kind: 'failed'; status?: number; reason: string }

/** How long a push service keeps a message for a phone that is offline (s). A reminder is stale sooner. */
export const PUSH_TTL_SECONDS: Record<PushTopic, number> = {
  'update-due': 60 * 60,
  'role-assigned': 12 * 60 * 60,
  'major-declared': 12 * 60 * 60,
  'task-assigned': 12 * 60 * 60,
}

export interface SenderOptions {
  /** TLS agent for the push service's requests (tests trust a local receiver's certificate with one). */
  agent?: Agent
  /** Per request (ms). Default 10,000. */
  timeoutMs?: number
}

/**
 * The `Topic` header (≤ 32 base64url characters): a newer message with the
 * same topic replaces one the push service still holds for an offline phone.
 */
export function pushTopicHeader(message: PushMessage): string {
  return createHash('sha256').update(pushTag(message)).digest('base64url').slice(0, 32)
}

/** Sends push messages signed with one VAPID identity (every node the same: push/keys.ts). */
export class PushSender {
  constructor(
    private readonly vapid: VapidConfig,
    private readonly options: SenderOptions = {},
  ) {}

  /** The VAPID public key (base64url) phones subscribe with. */
  get publicKey(): string {
    return this.vapid.publicKey
  }

  /** One message to one subscription; never throws: every failure is an outcome. */
  async send(sub: PushSubscriptionRecord, message: PushMessage): Promise<SendOutcome> {
    try {
      const result = await webpush.sendNotification(
        { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
        JSON.stringify(message),
        {
          vapidDetails: this.vapid,
          TTL: PUSH_TTL_SECONDS[message.topic],
          urgency: 'high',
          topic: pushTopicHeader(message),
          contentEncoding: 'aes128gcm',
          timeout: this.options.timeoutMs ?? 10_000,
          ...(this.options.agent && { agent: this.options.agent }),
        },
      )
      return { kind: 'sent', status: result.statusCode }
    } catch (e) {
      if (e instanceof webpush.WebPushError) {
        if (e.statusCode === 404 || e.statusCode === 410) return { kind: 'gone', status: e.statusCode }
        return { kind: 'failed', status: e.statusCode, reason: `${e.statusCode} ${e.body.slice(0, 200)}`.trim() }
      }
      return { kind: 'failed', reason: e instanceof Error ? e.message : String(e) }
    }
  }
}

/**
 * The push routes (docs/CONTRACT-EXTENSIONS.md, "Push notifications") as
 * typed calls, for the Settings page and the service worker.
 */
import type { PushTopic } from '../domain/push'
import { PushKeyAnswerSchema, PushSubscribedSchema, PushUnsubscribedSchema } from '../domain/push-wire'
import type { SyncSettings } from '../db/settings'
import type { FetchLike } from './api'
import { callServer } from './server-call'

/** The server's VAPID public key (base64url), to subscribe with. */
export async function fetchPushKey(settings: SyncSettings, fetchFn: FetchLike): Promise<string> {
  return (await callServer(settings, fetchFn, 'push/key', PushKeyAnswerSchema)).publicKey
}

export interface SubscriptionToSave {
  /** `PushSubscription.toJSON()`. */
  subscription: PushSubscriptionJSON
  /** This phone's actor. */
  person: { id: string; name: string }
  topics: PushTopic[]
}

/** Registers (or updates) this phone's subscription and choices; resolves to the choices kept. */
export async function saveSubscription(
  settings: SyncSettings,
  fetchFn: FetchLike,
  { subscription, person, topics }: SubscriptionToSave,
): Promise<PushTopic[]> {
  const body = { endpoint: subscription.endpoint, keys: subscription.keys, person, topics }
  return (await callServer(settings, fetchFn, 'push/subscriptions', PushSubscribedSchema, body)).topics
}

/** Forgets this phone's subscription on the server; resolves to whether it had one. */
export async function removeSubscription(
  settings: SyncSettings,
  fetchFn: FetchLike,
  endpoint: string,
): Promise<boolean> {
  return (await callServer(settings, fetchFn, 'push/subscriptions/remove', PushUnsubscribedSchema, { endpoint }))
    .removed
}

/**
 * The server's VAPID identity for Web Push. Every node must sign with the
 * same keys (a browser's subscription is bound to the public key it was made
 * with), so they live in the store: made on the first start when the
 * environment gives none (VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY), then read
 * by every node and every restart.
 */
import webpush from 'web-push'
import type { PushStore, VapidKeys } from '../store/types'

/** Keys and the contact (`mailto:` or `https:`) push services may use to reach the operator. */
export interface VapidConfig extends VapidKeys {
  subject: string
}

export interface VapidSettings {
  publicKey?: string
  privateKey?: string
  subject?: string
  /** PUBLIC_URL: the subject when none is given and it is https. */
  publicUrl?: string
}

/** Used when neither VAPID_SUBJECT nor an https PUBLIC_URL is set; Apple's service wants a real one (README). */
export const FALLBACK_SUBJECT = 'mailto:command-post@localhost'

const bytes = (key: string) => Buffer.from(key, 'base64url').length

/**
 * The keys to sign with: from `settings` when both keys are given (checked:
 * a 65-byte public and a 32-byte private key, base64url), else the store's,
 * generated and stored on the first start.
 * @throws Error naming the variable when only one key is given, a key is
 *   malformed, or the subject is neither `mailto:` nor `https:`.
 */
export async function loadVapidKeys(store: PushStore, settings: VapidSettings = {}): Promise<VapidConfig> {
  const subject =
    settings.subject || (settings.publicUrl?.startsWith('https://') ? settings.publicUrl : FALLBACK_SUBJECT)
  if (!/^(mailto:|https:\/\/)/.test(subject)) throw new Error('VAPID_SUBJECT must be a mailto: or https: URL')
  const { publicKey, privateKey } = settings
  if (publicKey || privateKey) {
    if (!publicKey || !privateKey) throw new Error('set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither')
    if (bytes(publicKey) !== 65) throw new Error('VAPID_PUBLIC_KEY must be 65 bytes in base64url')
    if (bytes(privateKey) !== 32) throw new Error('VAPID_PRIVATE_KEY must be 32 bytes in base64url')
    return { publicKey, privateKey, subject }
  }
  const stored = await store.ensureVapidKeys(webpush.generateVAPIDKeys())
  return { ...stored, subject }
}

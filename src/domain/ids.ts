/**
 * Event and entity ids: ULIDs (26 chars, Crockford base32), so ids made on
 * different phones never collide and sort roughly by creation time.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

export type RandomBytes = (n: number) => Uint8Array

const defaultRandom: RandomBytes = (n) => {
  const bytes = new Uint8Array(n)
  globalThis.crypto.getRandomValues(bytes)
  return bytes
}

export function newId(now: number = Date.now(), random: RandomBytes = defaultRandom): string {
  let time = ''
  let t = Math.max(0, Math.floor(now))
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time
    t = Math.floor(t / 32)
  }
  const bytes = random(16)
  let rand = ''
  for (let i = 0; i < 16; i++) rand += ALPHABET[bytes[i]! % 32]
  return time + rand
}

/** The id form of CONTRACT.md §1: 8–64 chars of [A-Za-z0-9_-]. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value)
}

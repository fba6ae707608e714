/**
 * Access tokens: 32 random bytes, base64url. Only their SHA-256 is stored, so a
 * copy of the database grants nothing; a token is shown once, when issued.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { TokenGrants, TokenRecord, TokenStore } from '../store/types'

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/
/** last_used_at is written at most this often per token: each write is an fsync. */
const TOUCH_INTERVAL_MS = 60_000

export function generateToken(): string {
  return randomBytes(32).toString('base64url')
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

export interface IssuedToken {
  token: string
  record: TokenRecord
}

export class TokenService {
  /** Emits 'revoked' with a token id when a token is revoked in this process. */
  readonly events = new EventEmitter()
  private readonly touchedAt = new Map<number, number>()

  constructor(
    private readonly store: TokenStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Issue a token for the person `name` (trimmed, 1–80 characters; throws otherwise).
   * `grants`: read-only (pull and stream only) and/or admin.
   */
  async issue(name: string, grants: TokenGrants = {}): Promise<IssuedToken> {
    const clean = name.trim()
    if (!clean || clean.length > 80) throw new Error('token name must be 1–80 characters')
    const token = generateToken()
    const record = await this.store.insertToken(clean, hashToken(token), new Date(this.now()).toISOString(), grants)
    return { token, record }
  }

  /** Make every active token of `name` read-only (or writable again); resolves to how many changed. */
  async setReadOnly(name: string, readOnly: boolean): Promise<number> {
    return (await this.store.setReadOnly(name, readOnly)).length
  }

  /** The token's record when it is valid and not revoked, else null. */
  async verify(token: string | undefined): Promise<TokenRecord | null> {
    if (!token || !TOKEN_PATTERN.test(token)) return null
    const hash = hashToken(token)
    const found = await this.store.findActiveToken(hash)
    // The lookup is by hash; compare again in constant time so no timing leaks from here.
    if (!found || found.hash.length !== hash.length || !timingSafeEqual(found.hash, hash)) return null
    const now = this.now()
    if (now - (this.touchedAt.get(found.id) ?? 0) >= TOUCH_INTERVAL_MS) {
      this.touchedAt.set(found.id, now)
      // "Last used" is informational: a disk that is full or read-only must not lock everyone out of reads.
      await this.store.touchToken(found.id, new Date(now).toISOString()).catch(() => {})
    }
    const { hash: _hash, ...record } = found
    return record
  }

  isActive(id: number): Promise<boolean> {
    return this.store.isTokenActive(id)
  }

  /**
   * Revoke every active token of `name`; resolves to how many. With `wipe`, a phone
   * that contacts the server with one of them again is told to delete its data.
   */
  async revoke(name: string, options: { wipe?: boolean } = {}): Promise<number> {
    const ids = await this.store.revokeTokens(name, new Date(this.now()).toISOString(), options.wipe ?? false)
    for (const id of ids) this.events.emit('revoked', id)
    return ids.length
  }

  /** True when `token` was revoked with a wipe: the phone holding it must delete its data. */
  async isWiped(token: string | undefined): Promise<boolean> {
    if (!token || !TOKEN_PATTERN.test(token)) return false
    return this.store.isWipedToken(hashToken(token))
  }

  list(): Promise<TokenRecord[]> {
    return this.store.listActiveTokens()
  }

  /** True until the first token is issued: a fresh server issues one itself. */
  async noneIssued(): Promise<boolean> {
    return (await this.store.countTokens()) === 0
  }
}

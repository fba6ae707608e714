import { describe, expect, it } from 'vitest'
import { openSqliteStore } from '../store/sqlite'
import { TOKEN_PATTERN, TokenService, generateToken, hashToken } from './tokens'
import { bearerToken } from './guard'

describe('access tokens', () => {
  it('are 32 random bytes in base64url', () => {
    const a = generateToken()
    expect(a).toMatch(TOKEN_PATTERN)
    expect(Buffer.from(a, 'base64url')).toHaveLength(32)
    expect(generateToken()).not.toBe(a)
  })

  it('are stored only as a SHA-256 hash, verified, touched and revoked', async () => {
    let now = Date.UTC(2026, 10, 1)
    const store = openSqliteStore(':memory:')
    const service = new TokenService(store, () => now)
    expect(await service.noneIssued()).toBe(true)
    const { token, record } = await service.issue('  Dana  ')
    expect(record.name).toBe('Dana')
    expect(await service.noneIssued()).toBe(false)
    expect(await store.findActiveToken(hashToken(token))).not.toBeNull()

    expect(await service.verify(token)).toMatchObject({ id: record.id, name: 'Dana' })
    expect((await service.list())[0]!.lastUsedAt).toBe(new Date(now).toISOString())
    expect(await service.verify(generateToken())).toBeNull()
    expect(await service.verify('short')).toBeNull()
    expect(await service.verify(undefined)).toBeNull()

    const revoked: number[] = []
    service.events.on('revoked', (id: number) => revoked.push(id))
    now += 1000
    expect(await service.revoke('Dana')).toBe(1)
    expect(revoked).toEqual([record.id])
    expect(await service.verify(token)).toBeNull()
    expect(await service.isActive(record.id)).toBe(false)
    await store.close()
  })

  it('refuse an empty or overlong name', async () => {
    const service = new TokenService(openSqliteStore(':memory:'))
    await expect(service.issue('   ')).rejects.toThrow()
    await expect(service.issue('x'.repeat(81))).rejects.toThrow()
  })

  it('are read from a Bearer header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc')
    expect(bearerToken('bearer abc')).toBe('abc')
    expect(bearerToken('Basic abc')).toBeUndefined()
    expect(bearerToken(undefined)).toBeUndefined()
  })
})

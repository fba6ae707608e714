import { describe, expect, it } from 'vitest'
import { describeAdminAction, teamOf } from './team'

const token = (id: number, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  createdAt: '2026-12-01T08:00:00.000Z',
  lastUsedAt: null as string | null,
  revokedAt: null as string | null,
  readOnly: false,
  admin: false,
  wipe: false,
  devices: [] as { actorId: string; actorName: string; events: number; lastAt: string }[],
  ...extra,
})

describe('teamOf', () => {
  it('groups active tokens by person, merging a device seen through two of them', () => {
    const phone = { actorId: 'dev-1', actorName: 'Lee', events: 3, lastAt: '2026-12-01T09:00:00.000Z' }
    const { people, revoked } = teamOf([
      token(1, 'Lee', { readOnly: true, lastUsedAt: '2026-12-01T09:00:00.000Z', devices: [phone] }),
      token(2, 'Ada', { admin: true }),
      token(3, 'Lee', {
        lastUsedAt: '2026-12-01T10:00:00.000Z',
        devices: [
          { ...phone, events: 2, lastAt: '2026-12-01T10:00:00.000Z', actorName: 'Lee K.' },
          { actorId: 'dev-2', actorName: 'Lee', events: 1, lastAt: '2026-12-01T09:30:00.000Z' },
        ],
      }),
      token(4, 'Kim', { revokedAt: '2026-12-01T07:00:00.000Z' }),
      token(5, 'Sam', { revokedAt: '2026-12-01T11:00:00.000Z', wipe: true }),
    ])
    expect(people.map((p) => p.name)).toEqual(['Ada', 'Lee'])
    expect(people[0]).toMatchObject({ tokens: 1, admin: true, readOnly: 'none', lastUsedAt: null, devices: [] })
    expect(people[1]).toMatchObject({
      tokens: 2,
      admin: false,
      readOnly: 'some',
      lastUsedAt: '2026-12-01T10:00:00.000Z',
    })
    expect(people[1]!.devices).toEqual([
      { actorId: 'dev-1', actorName: 'Lee K.', events: 5, lastAt: '2026-12-01T10:00:00.000Z' },
      { actorId: 'dev-2', actorName: 'Lee', events: 1, lastAt: '2026-12-01T09:30:00.000Z' },
    ])
    expect(revoked.map((t) => t.name)).toEqual(['Sam', 'Kim'])
    expect(teamOf([token(1, 'Pat', { readOnly: true })]).people[0]!.readOnly).toBe('all')
  })
})

describe('describeAdminAction', () => {
  it('says each action as a sentence, and an unknown one as sent', () => {
    expect(describeAdminAction({ actorName: 'Ada', action: 'revoke_wipe', target: 'Lee' })).toBe(
      'Ada revoked and wiped the phone of Lee',
    )
    expect(
      describeAdminAction({ actorName: 'command line', action: 'issue', target: 'Pat', detail: 'read-only' }),
    ).toBe('command line issued a token for Pat (read-only)')
    expect(describeAdminAction({ actorName: 'Ada', action: 'rename', target: 'Lee' })).toBe('Ada rename Lee')
  })
})

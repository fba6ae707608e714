/**
 * The team as Settings → Team shows it, from the admin routes' answers
 * (src/domain/wire.ts). Pure: the server acts on a person's tokens by name
 * (read-only, revoke), so the list is one row per person, not per token.
 */
import type { AdminTokensAnswer } from './wire'

type Token = AdminTokensAnswer['tokens'][number]
type Device = Token['devices'][number]

/** One person with active tokens: what every one of them may do, and every device seen through them. */
export interface TeamPerson {
  name: string
  /** How many active tokens carry this name (a second phone, a re-issued link). */
  tokens: number
  /** `some`: a token issued later is writable while an older one is read-only. */
  readOnly: 'all' | 'some' | 'none'
  admin: boolean
  /** The latest use of any of them (ISO), or null when none was ever used. */
  lastUsedAt: string | null
  /** Devices (actor ids) seen sending through them, latest first; one device through two tokens is one row. */
  devices: Device[]
}

/** Active tokens grouped by person (by name, A to Z), and revoked tokens, latest revoked first. */
export function teamOf(tokens: readonly Token[]): { people: TeamPerson[]; revoked: Token[] } {
  const byName = new Map<string, Token[]>()
  const revoked: Token[] = []
  for (const t of tokens) {
    if (t.revokedAt !== null) revoked.push(t)
    else byName.set(t.name, [...(byName.get(t.name) ?? []), t])
  }
  const people = [...byName].map(([name, own]): TeamPerson => {
    const readOnly = own.filter((t) => t.readOnly).length
    const devices = new Map<string, Device>()
    for (const d of own.flatMap((t) => t.devices)) {
      const seen = devices.get(d.actorId)
      devices.set(
        d.actorId,
        seen ? { ...(d.lastAt > seen.lastAt ? d : seen), events: seen.events + d.events } : { ...d },
      )
    }
    return {
      name,
      tokens: own.length,
      readOnly: readOnly === own.length ? 'all' : readOnly > 0 ? 'some' : 'none',
      admin: own.some((t) => t.admin),
      lastUsedAt: own.reduce<string | null>(
        (a, t) => (t.lastUsedAt && (!a || t.lastUsedAt > a) ? t.lastUsedAt : a),
        null,
      ),
      devices: [...devices.values()].sort((a, b) => (a.lastAt < b.lastAt ? 1 : a.lastAt > b.lastAt ? -1 : 0)),
    }
  })
  people.sort((a, b) => a.name.localeCompare(b.name))
  revoked.sort((a, b) => (a.revokedAt! < b.revokedAt! ? 1 : a.revokedAt! > b.revokedAt! ? -1 : 0))
  return { people, revoked }
}

const VERBS: Record<string, string> = {
  issue: 'issued a token for',
  read_only: 'made read-only',
  writable: 'allowed writing for',
  revoke: 'revoked',
  revoke_wipe: 'revoked and wiped the phone of',
}

/** `Ada revoked and wiped the phone of Lee (read-only)`: one audit entry as a sentence; an unknown action is named as sent. */
export function describeAdminAction(entry: {
  actorName: string
  action: string
  target: string
  detail?: string
}): string {
  const verb = VERBS[entry.action] ?? entry.action
  return `${entry.actorName} ${verb} ${entry.target}${entry.detail ? ` (${entry.detail})` : ''}`
}

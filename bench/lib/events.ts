/**
 * Seeded, realistic incident events: mostly log entries, with the amendments,
 * changes, tasks, updates, role handoffs and status changes a long incident
 * accumulates. Every event passes the domain's validateEvent (checked by
 * bench/lib/shape-check.ts), so the server stores them all.
 *
 * Times start on a fixed date in the past: the same data every run, and a
 * phone's own new events (clock = now) always sort after the seeded ones.
 */
import type { Actor, IncidentEvent, LogKind, Role, TaskKind } from '../../src/domain/events'
import { formatHlc } from '../../src/domain/hlc'
import { int, pick, rng, type Rng } from './stats'

export const SEED_START_MS = Date.UTC(2025, 0, 6, 8, 0, 0)
const ULID = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** A ULID-shaped id from the PRNG: the form the app makes, reproducible. */
export function seededId(random: Rng, ms: number): string {
  let time = ''
  let t = ms
  for (let i = 0; i < 10; i++) {
    time = ULID[t % 32] + time
    t = Math.floor(t / 32)
  }
  let rand = ''
  for (let i = 0; i < 16; i++) rand += ULID[Math.floor(random() * 32)]
  return time + rand
}

const WORDS = (
  'switch core closet uplink port vlan dhcp scope lease dns resolver firewall rule wifi ssid controller access point ' +
  'gym library office building cafeteria portal chromebook projector printer queue badge door camera nvr ups battery ' +
  'breaker fiber patch panel link green amber dark reboot power cycled checked confirmed ticket vendor called isp ' +
  'circuit latency packet loss ping traceroute bandwidth saturation backup restore snapshot server vm host disk full ' +
  'certificate expired renewed sso login failing teachers students district principal bell schedule testing window ' +
  'rollback config change reverted monitoring alert cleared escalated waiting on parts eta minutes'
).split(' ')
const SYSTEMS = [
  'core switch HS-1',
  'DHCP server',
  'firewall FW-2',
  'wifi controller',
  'DNS resolver',
  'SSO proxy',
  'print server',
  'VM host 3',
]
const PEOPLE = ['Dana Ortiz', 'Sam Lee', 'Priya Shah', 'Marcus Green', 'Jo Kim', 'Alex Brown']
const LOG_KINDS: LogKind[] = ['action', 'action', 'action', 'observation', 'observation', 'decision', 'note']
const TASK_KINDS: TaskKind[] = ['followup', 'bug', 'handoff', 'staffing', 'other']
const ROLES: Role[] = ['ops', 'comms', 'planning']

function sentence(random: Rng, min: number, max: number): string {
  const n = int(random, min, max)
  const words: string[] = []
  for (let i = 0; i < n; i++) words.push(pick(random, WORDS))
  const text = words.join(' ')
  return text[0]!.toUpperCase() + text.slice(1)
}

export interface IncidentOptions {
  seed: number
  /** Stop after this many events (declaration included)… */
  events?: number
  /** …or once the Timeline would show this many items (amendments show on their entry, not as items). */
  timelineItems?: number
  startMs?: number
  /** Devices (actors) writing to the incident; each is its own HLC node. */
  devices?: number
  title?: string
}

/** One incident's events in clock order (ascending hlc). */
export function generateIncident(options: IncidentOptions): IncidentEvent[] {
  const random = rng(options.seed)
  const devices: Actor[] = Array.from({ length: options.devices ?? 4 }, (_, i) => ({
    id: `bench-device-${options.seed}-${i}`,
    name: PEOPLE[i % PEOPLE.length]!,
  }))
  let ms = options.startMs ?? SEED_START_MS
  const incidentId = seededId(random, ms)
  const entries: string[] = []
  const openChanges: string[] = []
  const openTasks: string[] = []
  const doneTasks: string[] = []
  const out: IncidentEvent[] = []
  let items = 0
  let status: 'active' | 'mitigated' | 'resolved' = 'active'

  const push = (type: IncidentEvent['type'], payload: object, actor = pick(random, devices)): string => {
    const id = seededId(random, ms)
    out.push({
      id,
      incidentId,
      type,
      at: new Date(ms).toISOString(),
      hlc: formatHlc({ ms, counter: 0, node: actor.id }),
      actor: { id: actor.id, name: actor.name },
      payload,
    } as IncidentEvent)
    if (type !== 'log.amended') items++
    // 0.2–5 s between events: a busy incident, thousands of events over a day.
    ms += int(random, 200, 5000)
    return id
  }

  push(
    'incident.declared',
    {
      title: options.title ?? `Network outage ${options.seed}: ${sentence(random, 3, 6)}`.slice(0, 200),
      severity: int(random, 1, 3),
      summary: sentence(random, 10, 30),
      location: 'High school, building B',
    },
    devices[0],
  )

  const done = () =>
    (options.events !== undefined && out.length >= options.events) ||
    (options.timelineItems !== undefined && items >= options.timelineItems)
  while (!done()) {
    const r = random()
    if (r < 0.7 || entries.length === 0) {
      const payload: Record<string, unknown> = { text: sentence(random, 4, 40), kind: pick(random, LOG_KINDS) }
      if (random() < 0.05) payload.runbook = { id: 'network/switch-down', step: int(random, 0, 12) }
      entries.push(push('log.entry', payload))
    } else if (r < 0.75) {
      const a = random()
      const payload =
        a < 0.5
          ? { entryId: pick(random, entries), text: sentence(random, 4, 30), reason: 'typo' }
          : a < 0.8
            ? { entryId: pick(random, entries), struck: true, reason: 'wrong device' }
            : { entryId: pick(random, entries), pinned: true }
      push('log.amended', payload)
    } else if (r < 0.81) {
      const changeId = seededId(random, ms)
      openChanges.push(changeId)
      push('change.made', {
        changeId,
        system: pick(random, SYSTEMS),
        what: sentence(random, 4, 15),
        revert: sentence(random, 4, 12),
      })
    } else if (r < 0.83 && openChanges.length) {
      push('change.reverted', {
        changeId: openChanges.splice(int(random, 0, openChanges.length - 1), 1)[0]!,
        note: sentence(random, 3, 10),
      })
    } else if (r < 0.87) {
      push('update.posted', { body: sentence(random, 20, 80), audience: 'Principals', nextDueMinutes: 30 })
    } else if (r < 0.92) {
      const taskId = seededId(random, ms)
      openTasks.push(taskId)
      push('task.added', {
        taskId,
        text: sentence(random, 4, 14),
        kind: pick(random, TASK_KINDS),
        owner: pick(random, PEOPLE),
      })
    } else if (r < 0.95 && openTasks.length) {
      const taskId = openTasks.splice(int(random, 0, openTasks.length - 1), 1)[0]!
      doneTasks.push(taskId)
      push('task.done', { taskId })
    } else if (r < 0.955 && doneTasks.length) {
      const taskId = doneTasks.splice(int(random, 0, doneTasks.length - 1), 1)[0]!
      openTasks.push(taskId)
      push('task.reopened', { taskId })
    } else if (r < 0.975) {
      const person = random() < 0.15 ? null : { id: pick(random, devices).id, name: pick(random, PEOPLE) }
      push('role.assigned', { role: pick(random, ROLES), person, briefing: sentence(random, 5, 25) })
    } else if (r < 0.985) {
      status = status === 'active' ? 'mitigated' : 'active'
      push('incident.status', { status, note: sentence(random, 3, 10) })
    } else {
      push('incident.edited', random() < 0.5 ? { severity: int(random, 1, 4) } : { summary: sentence(random, 10, 30) })
    }
  }
  return out
}

/** Several incidents, interleaved in clock order as a server would receive them. */
export function generateIncidents(count: number, eventsEach: number, seed: number): IncidentEvent[] {
  const all = Array.from({ length: count }, (_, i) => generateIncident({ seed: seed + i, events: eventsEach }))
  return all.flat().sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : a.id < b.id ? -1 : 1))
}

/**
 * Arrival order on a phone: mostly clock order, with some events late (another
 * phone's batch arriving after ours). Same seed, same order.
 */
export function arrivalOrder<T>(events: readonly T[], seed: number, lateFraction = 0.1, window = 50): T[] {
  const random = rng(seed)
  const out = [...events]
  for (let i = 0; i < out.length; i++) {
    if (random() >= lateFraction) continue
    const j = Math.min(out.length - 1, i + int(random, 1, window))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

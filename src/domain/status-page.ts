/**
 * The stakeholder status page (issue #15 item 3): the public part of an
 * incident. Only the title, status, severity, lifecycle times and the posted
 * updates — never the log, roles, changes, tasks, summary, location, who
 * wrote what, or an update's audience. Pure: the server builds the answer
 * with it; the page renders what the server sent.
 */
import { hlcMillis } from './hlc'
import type { IncidentState } from './fold'
import type { SEVERITIES, STATUSES } from './vocabulary'

/** An update as stakeholders see it: when it was posted (hybrid-clock ms) and what it says. */
export interface PublicUpdate {
  id: string
  postedMs: number
  body: string
}

/**
 * An incident's public part. Times are ms since the epoch from the events'
 * hybrid clocks; `mitigatedMs`/`resolvedMs` belong to the current course of
 * the incident (reopening clears them), null when it has not got there.
 */
export interface PublicIncident {
  id: string
  title: string
  status: (typeof STATUSES)[number]
  severity: (typeof SEVERITIES)[number]
  declaredMs: number
  mitigatedMs: number | null
  resolvedMs: number | null
  /** Newest first. */
  updates: PublicUpdate[]
}

/** The public part of a folded incident. */
export function publicIncident(state: IncidentState): PublicIncident {
  const stamp = new Map<string, number>()
  for (const e of state.events) if (e.type === 'incident.status') stamp.set(e.id, hlcMillis(e.hlc))
  let mitigatedMs: number | null = null
  let resolvedMs: number | null = null
  for (const change of state.statusHistory) {
    const ms = stamp.get(change.eventId) ?? null
    if (change.to === 'active') {
      mitigatedMs = null
      resolvedMs = null
    } else if (change.to === 'mitigated') {
      mitigatedMs = ms
      resolvedMs = null
    } else resolvedMs = ms
  }
  return {
    id: state.id,
    title: state.title,
    status: state.status,
    severity: state.severity,
    declaredMs: state.declaredMs,
    mitigatedMs,
    resolvedMs,
    updates: state.updates
      .map((u) => ({ id: u.id, postedMs: hlcMillis(u.hlc), body: u.body }))
      .sort((a, b) => b.postedMs - a.postedMs || b.id.localeCompare(a.id)),
  }
}

/** Open incidents for the team-wide page: not resolved, worst severity first, then newest. */
export function openIncidents(all: Iterable<PublicIncident>): PublicIncident[] {
  return [...all]
    .filter((i) => i.status !== 'resolved')
    .sort((a, b) => a.severity - b.severity || b.declaredMs - a.declaredMs || a.id.localeCompare(b.id))
}

/** A status link's token: 32 random bytes, base64url, like an access token. */
export const STATUS_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/

/**
 * A status link: `<origin>/status#<token>`. The token is in the fragment, which
 * browsers never send to a server, so it stays out of proxy and server logs.
 */
export function statusLink(origin: string, token: string): string {
  return `${origin.replace(/\/+$/, '')}/status#${token}`
}

/** The token of a status page's fragment (`#<token>`), or null. */
export function statusTokenFromFragment(hash: string): string | null {
  const token = hash.replace(/^#/, '')
  return STATUS_TOKEN_PATTERN.test(token) ? token : null
}

/**
 * The stakeholder status page (issue #15 item 3): the public part of an
 * incident. Only the title, status, severity, lifecycle times and the posted
 * updates — never the log, roles, changes, tasks, summary, location, who
 * wrote what, or an update's audience. Pure: the server builds the answer
 * with it; the page renders what the server sent.
 */
import * as v from 'valibot'
import { hlcMillis } from './hlc'
import type { IncidentState } from './fold'
import { SEVERITIES, STATUSES } from './vocabulary'

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

const Ms = v.pipe(v.number(), v.integer(), v.minValue(0))

export const PublicIncidentSchema = v.object({
  id: v.string(),
  title: v.string(),
  status: v.picklist(STATUSES),
  severity: v.picklist(SEVERITIES),
  declaredMs: Ms,
  mitigatedMs: v.nullable(Ms),
  resolvedMs: v.nullable(Ms),
  updates: v.array(v.object({ id: v.string(), postedMs: Ms, body: v.string() })),
})

/**
 * `GET /api/status` answer (200), asked with the link's token as
 * `Authorization: Bearer <token>`: one incident (an incident's link) or the
 * open incidents, worst first (the team-wide link). `refreshSeconds`: how
 * often the page asks again; `now`: the server's clock (ms).
 */
export const StatusAnswerSchema = v.variant('kind', [
  v.object({
    kind: v.literal('incident'),
    incident: PublicIncidentSchema,
    refreshSeconds: v.number(),
    now: Ms,
  }),
  v.object({
    kind: v.literal('team'),
    incidents: v.array(PublicIncidentSchema),
    refreshSeconds: v.number(),
    now: Ms,
  }),
])
export type StatusAnswer = v.InferOutput<typeof StatusAnswerSchema>

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

/** `POST /api/status-links` body: a link to one incident, or (`team: true`, admins, when the server allows it) to the open incidents. */
export const StatusLinkCreateBodySchema = v.union(
  [
    v.object({
      incidentId: v.pipe(
        v.string('incidentId must be a string'),
        v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'incidentId must be an incident id'),
      ),
    }),
    v.object({ team: v.literal(true, 'team must be true') }),
  ],
  'the body must be { "incidentId": "..." } or { "team": true }',
)

/** A status link as listed: never its token (only its hash is kept). */
export const StatusLinkInfoSchema = v.object({
  id: v.number(),
  incidentId: v.nullable(v.string()),
  createdAt: v.string(),
  createdBy: v.string(),
  revokedAt: v.nullable(v.string()),
})
export type StatusLinkInfo = v.InferOutput<typeof StatusLinkInfoSchema>

/** Its answer (200): the link, shown this once, and what the list will say of it. */
export const StatusLinkCreatedSchema = v.object({ link: v.string(), info: StatusLinkInfoSchema })

/** `GET /api/status-links?incidentId=…` (or `?team=1`) answer (200): every link made for it, newest first. */
export const StatusLinkListSchema = v.object({ links: v.array(StatusLinkInfoSchema) })

/** `GET /api/status-links` query. */
export const StatusLinkQuerySchema = v.object({
  incidentId: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'incidentId must be an incident id'))),
  team: v.optional(v.literal('1', 'team must be 1')),
})

/** `POST /api/status-links/revoke` body; answer `{ revoked }` (false: already withdrawn). */
export const StatusLinkRevokeBodySchema = v.object(
  {
    id: v.pipe(
      v.number('id must be a number'),
      v.integer('id must be a whole number'),
      v.minValue(1, 'id must be at least 1'),
    ),
  },
  'the body must be { "id": 1 }',
)
export const StatusLinkRevokedSchema = v.object({ revoked: v.boolean() })

/**
 * The status page routes' bodies and answers (docs/CONTRACT-EXTENSIONS.md,
 * "Status page") as valibot schemas, shared by the server, the app and the
 * status page. Apart from ./status-page.ts so that the page's first script
 * loads without valibot.
 */
import * as v from 'valibot'
import { SEVERITIES, STATUSES } from './vocabulary'

const Ms = v.pipe(v.number(), v.integer(), v.minValue(0))

/** An incident's public part on the wire (PublicIncident, ./status-page.ts). */
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

/**
 * `POST /api/status-links` body: a link to one incident (`incidentId`), or
 * (`team: true`, admins, when the server allows it) to the open incidents.
 * One of the two. (Not v.union: each valibot function the app uses anywhere
 * lands in its first screen's chunk.)
 */
export const StatusLinkCreateBodySchema = v.pipe(
  v.object(
    {
      incidentId: v.optional(
        v.pipe(
          v.string('incidentId must be a string'),
          v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'incidentId must be an incident id'),
        ),
      ),
      team: v.optional(v.literal(true, 'team must be true')),
    },
    'the body must be { "incidentId": "..." } or { "team": true }',
  ),
  v.check(
    (body) => (body.incidentId === undefined) !== (body.team === undefined),
    'the body must be { "incidentId": "..." } or { "team": true }',
  ),
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

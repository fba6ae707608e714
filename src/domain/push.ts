/**
 * Notifications with the app closed (Web Push, issue #15 item 1): what a
 * responder may choose to be told, the message the server sends, and which
 * events and due moments call for one. Pure: the server's notifier builds
 * notices with it and the service worker reads the message with it.
 *
 * A message carries the incident's title and where to open it — never log
 * text, an update's body, a task's text or any token: a push service, a lock
 * screen and whoever holds the phone see it.
 */
import * as v from 'valibot'
import { nextUpdateDueMs } from './cadence'
import { ROLE_LABELS, severityShort } from './describe'
import { assertNever } from './assert'
import type { IncidentEvent, Role, Severity } from './events'
import { holderOf, type IncidentState } from './fold'
import { samePerson, type PersonRef } from './people'

/**
 * What a responder can choose to receive:
 * - `update-due`: an update falls due on an incident where they hold Comms
 *   (the commander holds it while it is unassigned);
 * - `role-assigned`: someone else gave them a role;
 * - `major-declared`: someone else declared a SEV1 or SEV2;
 * - `task-assigned`: someone else made them a task's owner.
 */
export const PUSH_TOPICS = ['update-due', 'role-assigned', 'major-declared', 'task-assigned'] as const
export type PushTopic = (typeof PUSH_TOPICS)[number]

/** Each choice as the Settings checkbox names it. */
export const PUSH_TOPIC_LABELS: Record<PushTopic, string> = {
  'update-due': 'An update is due where I hold Comms',
  'role-assigned': 'A role is assigned to me',
  'major-declared': 'A SEV1 or SEV2 is declared',
  'task-assigned': 'A task is assigned to me',
}

/** The line under the title, chosen by the service worker from the topic: the payload has no text of its own. */
export const PUSH_TOPIC_BODIES: Record<PushTopic, string> = {
  'update-due': 'Stakeholders are due the next update. Tap to write it.',
  'role-assigned': 'Tap for the duty card and the handoff.',
  'major-declared': 'Tap to open the incident.',
  'task-assigned': 'Tap to see the task.',
}

const INCIDENT_URL = /^\/incidents\/[A-Za-z0-9_-]{8,64}(\/(roles|updates|tasks))?$/

/**
 * The push payload (JSON, encrypted for the subscription by the server):
 * `title` is what the notification says (it contains the incident's title),
 * `url` the incident page to open. Nothing else travels.
 */
export const PushMessageSchema = v.object({
  topic: v.picklist(PUSH_TOPICS),
  incidentId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/)),
  title: v.pipe(v.string(), v.minLength(1), v.maxLength(300)),
  url: v.pipe(v.string(), v.regex(INCIDENT_URL)),
})
export type PushMessage = v.InferOutput<typeof PushMessageSchema>

/** The message in a push event's data, or null when it is not one of ours (or is malformed). */
export function readPushMessage(data: unknown): PushMessage | null {
  const parsed = v.safeParse(PushMessageSchema, data)
  return parsed.success ? parsed.output : null
}

/** The notification's tag: one per incident and topic, so a newer one replaces the older (the page's own reminders use the same `update-due:` tag). */
export function pushTag(message: Pick<PushMessage, 'topic' | 'incidentId'>): string {
  return `${message.topic}:${message.incidentId}`
}

/** The message for a topic on an incident. `role` names the role for `role-assigned`. */
export function pushMessage(
  topic: PushTopic,
  state: Pick<IncidentState, 'id' | 'title' | 'severity'>,
  role?: Role,
): PushMessage {
  const base = { topic, incidentId: state.id }
  switch (topic) {
    case 'update-due':
      return { ...base, title: `Update due: ${state.title}`, url: `/incidents/${state.id}/updates` }
    case 'role-assigned':
      return {
        ...base,
        title: `You are ${ROLE_LABELS[role ?? 'command']}: ${state.title}`,
        url: `/incidents/${state.id}/roles`,
      }
    case 'major-declared':
      return {
        ...base,
        title: `${severityShort(state.severity)} declared: ${state.title}`,
        url: `/incidents/${state.id}`,
      }
    case 'task-assigned':
      return { ...base, title: `Task for you: ${state.title}`, url: `/incidents/${state.id}/tasks` }
    default:
      return assertNever(topic)
  }
}

/**
 * One notification to send: to one person (matched against each
 * subscription's person with the people rule, src/domain/people.ts) or to
 * everyone who chose the topic, never to `except` (who caused it).
 * `key` is claimed in the database before sending, so one node sends it once.
 */
export interface PushNotice {
  topic: PushTopic
  to: PersonRef | 'everyone'
  except?: PersonRef
  key: string
  message: PushMessage
}

/**
 * Whether a subscriber who chose `topics` receives `notice`. `is(person)` tells
 * whether the subscriber is that person: the server answers by the people rule
 * on the phone's own actor, and by the access token (one token per person), so
 * every device of theirs is reached, not only the one that was named.
 */
export function noticeReaches(
  notice: PushNotice,
  is: (person: PersonRef) => boolean,
  topics: readonly PushTopic[],
): boolean {
  if (!topics.includes(notice.topic)) return false
  if (notice.except && is(notice.except)) return false
  return notice.to === 'everyone' || is(notice.to)
}

/** The notice `event` makes on `topic` for `to`: never to its own author; claimed once per event and topic. */
function noticeOf(event: IncidentEvent, topic: PushTopic, to: PushNotice['to'], message: PushMessage): PushNotice {
  return { topic, to, except: event.actor, key: `event:${event.id}:${topic}`, message }
}

/**
 * The notices one stored event calls for, judged against its incident's state
 * after folding (so an assignment a later write already replaced, or a task
 * since given to someone else, tells no one). Nothing for resolved incidents.
 */
export function noticesForEvent(event: IncidentEvent, state: IncidentState): PushNotice[] {
  if (state.status === 'resolved' || event.incidentId !== state.id) return []
  if (event.type === 'incident.declared') {
    if (state.declaration.id !== event.id || event.payload.severity > 2) return []
    const message = pushMessage('major-declared', { ...state, severity: event.payload.severity as Severity })
    return [noticeOf(event, 'major-declared', 'everyone', message)]
  }
  if (event.type === 'role.assigned') {
    const { role, person } = event.payload
    if (!person || samePerson(event.actor, person) || !samePerson(holderOf(state, role), person)) return []
    const message = pushMessage('role-assigned', state, role)
    return [noticeOf(event, 'role-assigned', person, message)]
  }
  if (event.type === 'task.added' || event.type === 'task.edited') {
    const owner = event.payload.owner?.trim()
    const task = state.tasks.get(event.payload.taskId)
    // The task's owner now, by the fold: an edit that a later one replaced tells no one.
    if (!owner || !task || task.done || !task.owner || !samePerson({ name: task.owner }, { name: owner })) return []
    if (samePerson({ name: event.actor.name }, { name: owner })) return []
    const message = pushMessage('task-assigned', state)
    return [noticeOf(event, 'task-assigned', { name: owner }, message)]
  }
  return []
}

/** What the update-due reminder needs of an incident, kept by the server for every incident. */
export interface ReminderView {
  id: string
  title: string
  severity: Severity
  /** When the next update is due (hybrid-clock ms); null once resolved. */
  dueMs: number | null
  /** Who holds Comms: its assignee, else the commander. */
  comms: PersonRef
}

/** The reminder view of a folded incident (src/domain/cadence.ts decides the due moment). */
export function reminderView(state: IncidentState): ReminderView {
  return {
    id: state.id,
    title: state.title,
    severity: state.severity,
    dueMs: nextUpdateDueMs(state),
    comms: holderOf(state, 'comms'),
  }
}

/**
 * The update-due notice of an incident at `now`: for whoever holds Comms (the
 * commander while it is unassigned), once per due moment (the key names it,
 * so posting an update, which moves the moment, ends the reminders for the
 * old one). Null before the moment, once resolved, and when the moment is more
 * than `staleMs` past (a server that was down for hours does not ring for
 * moments the phones have long shown as overdue).
 */
export function dueNotice(view: ReminderView, now: number, staleMs: number): PushNotice | null {
  const { dueMs } = view
  if (dueMs === null || dueMs > now || now - dueMs > staleMs) return null
  return {
    topic: 'update-due',
    to: view.comms,
    key: `due:${view.id}:${dueMs}`,
    message: pushMessage('update-due', view),
  }
}

/** The Web Push subscription a browser hands out (`PushSubscription.toJSON()`), as the server keeps it. */
export interface PushSubscriptionKeys {
  endpoint: string
  keys: { p256dh: string; auth: string }
}

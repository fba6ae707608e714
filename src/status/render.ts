/**
 * The status page's DOM, built with `textContent` only: every field the
 * server sends (titles, update bodies) is text, so nothing in it can become
 * markup, whatever it contains. Plain DOM, not Vue: the page is one small
 * read-only view for people who never installed the app.
 */
import type { PublicIncident } from '../domain/status-page'
import type { StatusAnswer } from '../domain/status-wire'

/** What the page shows. */
export type StatusView =
  | { kind: 'loading' }
  /** `checkedAt`: when this answer was received (ms); `offline`: the last check failed, this is older. */
  | { kind: 'answer'; answer: StatusAnswer; checkedAt: number; offline: boolean }
  | { kind: 'withdrawn' }
  /** No token in the address, or one the server does not know. */
  | { kind: 'invalid' }
  /** Never reached the server. */
  | { kind: 'unreachable' }

const SEVERITY: Record<number, string> = {
  1: 'SEV1 · critical',
  2: 'SEV2 · major',
  3: 'SEV3 · minor',
  4: 'SEV4 · low',
}
const STATUS: Record<PublicIncident['status'], string> = {
  active: 'Active: being worked on',
  mitigated: 'Mitigated: impact contained, still being watched',
  resolved: 'Resolved',
}

/** A time with its day and zone (`Tue, 1 Dec, 9:05 AM EST`), in the reader's locale and zone. */
export type FormatTime = (ms: number) => string

/** Times in the reader's locale and zone (or the given ones: tests). */
export function defaultFormatTime(locale?: string, timeZone?: string): FormatTime {
  const f = new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
    ...(timeZone && { timeZone }),
  })
  return (ms) => f.format(ms)
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  if (text !== undefined) node.textContent = text
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value)
  return node
}

function time(ms: number, format: FormatTime): HTMLTimeElement {
  return el('time', format(ms), { datetime: new Date(ms).toISOString() })
}

/** Title, severity and status, lifecycle times, updates newest first. `level`: the title's heading level. */
function incidentBlock(incident: PublicIncident, format: FormatTime, level: 'h1' | 'h2'): HTMLElement {
  const block = el('section', undefined, { class: 'status-incident', 'aria-labelledby': `t-${incident.id}` })
  block.append(el(level, incident.title, { id: `t-${incident.id}`, class: 'status-incident__title' }))
  const badges = el('p', undefined, { class: 'status-badges' })
  badges.append(
    el('span', SEVERITY[incident.severity] ?? `SEV${incident.severity}`, {
      class: `status-badge status-badge--sev${incident.severity}`,
    }),
    el('span', STATUS[incident.status], { class: `status-badge status-badge--${incident.status}` }),
  )
  block.append(badges)

  const times = el('dl', undefined, { class: 'status-times' })
  const row = (label: string, ms: number | null) => {
    if (ms === null) return
    const dd = el('dd')
    dd.append(time(ms, format))
    times.append(el('dt', label), dd)
  }
  row('Declared', incident.declaredMs)
  row('Mitigated', incident.mitigatedMs)
  row('Resolved', incident.resolvedMs)
  block.append(times)

  const headingLevel = level === 'h1' ? 'h2' : 'h3'
  block.append(el(headingLevel, 'Updates', { class: 'status-updates__heading' }))
  if (incident.updates.length === 0) {
    block.append(el('p', 'No update has been posted yet.', { class: 'status-muted' }))
    return block
  }
  const list = el('ol', undefined, {
    class: 'status-updates',
    'aria-label': `Updates on ${incident.title}, newest first`,
  })
  for (const update of incident.updates) {
    const item = el('li', undefined, { class: 'status-update' })
    const when = el('p', undefined, { class: 'status-update__when' })
    when.append(time(update.postedMs, format))
    item.append(when, el('p', update.body, { class: 'status-update__body' }))
    list.append(item)
  }
  block.append(list)
  return block
}

function message(root: HTMLElement, heading: string, text: string): void {
  root.append(el('h1', heading), el('p', text))
}

/** One renderer per kind of view: a Record, so a new kind fails the type check here (no shared assertNever import: see main.ts). */
const VIEWS: {
  [K in StatusView['kind']]: (root: HTMLElement, view: Extract<StatusView, { kind: K }>, format: FormatTime) => void
} = {
  loading(root) {
    message(root, 'Incident status', 'Loading…')
    document.title = 'Incident status'
  },
  withdrawn(root) {
    message(root, 'This link was withdrawn', 'Ask the person who sent it for a new one.')
    document.title = 'Link withdrawn · Incident status'
  },
  invalid(root) {
    message(root, 'This link is not valid', 'Check that you opened the whole link, or ask for a new one.')
    document.title = 'Incident status'
  },
  unreachable(root) {
    message(root, 'Incident status', 'The status could not be loaded. It will be tried again shortly.')
    document.title = 'Incident status'
  },
  answer(root, view, format) {
    const { answer } = view
    if (answer.kind === 'incident') {
      root.append(incidentBlock(answer.incident, format, 'h1'))
      document.title = `${answer.incident.title} · Incident status`
    } else {
      root.append(el('h1', 'Open incidents'))
      if (answer.incidents.length === 0) root.append(el('p', 'No incident is open.', { class: 'status-muted' }))
      for (const incident of answer.incidents) root.append(incidentBlock(incident, format, 'h2'))
      document.title = 'Open incidents · Incident status'
    }
    const note = el('p', undefined, { class: 'status-checked', role: 'status' })
    note.append(
      view.offline ? 'Could not check for news; showing what was received ' : 'Refreshes by itself. Checked ',
      time(view.checkedAt, format),
    )
    root.append(note)
  },
}

/** Replaces `root`'s content with `view`; the page title follows the incident's. */
export function renderStatus(root: HTMLElement, view: StatusView, format: FormatTime = defaultFormatTime()): void {
  root.replaceChildren()
  root.setAttribute('aria-busy', view.kind === 'loading' ? 'true' : 'false')
  ;(VIEWS[view.kind] as (root: HTMLElement, view: StatusView, format: FormatTime) => void)(root, view, format)
}

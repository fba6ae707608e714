/**
 * The incident document as Markdown (to paste into a ticket, mail or wiki) and
 * the per-person activity log (the ICS 214 idea: who did what, when). Pure, so
 * the document view, the download and the tests show the same text. Every time
 * is written `2026-11-01 01:30 -04:00` (date, 24-hour time, UTC offset), and
 * the zone is named once under the title: a pasted document is read elsewhere.
 */
import { cadenceStatus, describeCadence } from './cadence'
import { groupChanges } from './changes'
import type { ChangeGroups } from './changes'
import { LOG_KIND_LABELS, ROLE_LABELS, SEVERITY_LABELS } from './describe'
import type { EventOf, IncidentEvent } from './events'
import { attribution, loggedByOther, sameName, samePerson } from './people'
import type { Change, IncidentState, IncidentSummary, LogEntry } from './fold'
import { STATUS_LABELS, TASK_KIND_LABELS } from './briefing'
import type { TimeFormat } from './briefing'
import { roleBoard } from './roles'
import { createExportTimes } from './time'
import { describeInContext, hasOwnRow } from './timeline'

export interface ExportContext {
  now: number
  /** IANA zone the times are written in (the phone's); named once at the top. */
  timeZone: string
  children?: readonly IncidentSummary[]
  parent?: IncidentSummary
}

/**
 * Plain text made safe inside Markdown: characters that would turn into
 * formatting, links or HTML are escaped; line breaks stay inside the item.
 */
export function md(text: string): string {
  return text.replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`).replace(/\r?\n/g, '  \n  ')
}

function changeLine(c: Change, fmt: TimeFormat): string {
  const outside = c.madeOutsideOps ? ` — **made outside Ops** (Ops was ${md(c.opsHolder.name)})` : ''
  return `- **${md(c.system)}**: ${md(c.what)} — to revert: ${md(c.revert)} (${fmt(c.at)}, ${md(c.actor.name)})${outside}`
}

function changesSection(groups: ChangeGroups, fmt: TimeFormat): string[] {
  const out = ['## Changes (diverged from normal)', '']
  if (!groups.open.length && !groups.kept.length && !groups.reverted.length) return [...out, 'No changes recorded.', '']
  out.push(`### Open (${groups.open.length})`, '')
  out.push(...(groups.open.length ? groups.open.map((c) => changeLine(c, fmt)) : ['None.']), '')
  if (groups.kept.length) {
    out.push(`### Kept on purpose (${groups.kept.length})`, '')
    for (const { change, decision } of groups.kept)
      out.push(`${changeLine(change, fmt)} — kept by ${md(decision.actor.name)} at ${fmt(decision.at)}`)
    out.push('')
  }
  out.push(`### Reverted (${groups.reverted.length})`, '')
  out.push(
    ...(groups.reverted.length
      ? groups.reverted.map(
          (c) =>
            `${changeLine(c, fmt)} — reverted ${fmt(c.reverted!.at)} by ${md(c.reverted!.actor.name)}${c.reverted!.note ? `: ${md(c.reverted!.note)}` : ''}`,
        )
      : ['None.']),
    '',
  )
  return out
}

function entryLine(entry: LogEntry): string {
  const text = entry.struck ? `~~${md(entry.text)}~~` : md(entry.text)
  const notes: string[] = []
  if (entry.text !== entry.originalText) notes.push(`corrected; originally: “${md(entry.originalText)}”`)
  const strike = [...entry.history].reverse().find((h) => h.struck !== undefined)
  if (entry.struck && strike)
    notes.push(`struck by ${md(strike.actor.name)}${strike.reason ? `: ${md(strike.reason)}` : ''}`)
  return `${text}${notes.length ? ` _(${notes.join('; ')})_` : ''}`
}

function timelineLine(e: IncidentEvent, state: IncidentState, fmt: TimeFormat): string {
  const entry = e.type === 'log.entry' ? state.entries.get(e.id) : undefined
  const kind = entry ? ` (${LOG_KIND_LABELS[entry.kind]})` : ''
  const text = entry ? entryLine(entry) : md(describeInContext(e, state))
  return `- ${fmt(e.at)} · ${md(attribution(e))}${kind}: ${text}`
}

/** The whole incident as one Markdown document. */
export function incidentMarkdown(state: IncidentState, ctx: ExportContext): string {
  const times = createExportTimes(ctx.timeZone)
  const fmt = times.format
  // The zone line is filled in last: it lists the UTC offsets the document's times turned out to use.
  const out: string[] = [`# ${md(state.title)}`, '', '', '']
  out.push(`- Severity: ${SEVERITY_LABELS[state.severity]}`)
  const lastStatus = state.statusHistory[state.statusHistory.length - 1]
  out.push(
    `- Status: ${STATUS_LABELS[state.status]}${lastStatus ? ` (since ${fmt(lastStatus.at)}, ${md(lastStatus.actor.name)})` : ''}`,
  )
  out.push(`- Declared: ${fmt(state.declaredAt)} by ${md(state.declaredBy.name)}`)
  if (state.location) out.push(`- Location: ${md(state.location)}`)
  if (ctx.parent) out.push(`- Sub-incident of: ${md(ctx.parent.title)} (${ctx.parent.status})`)
  out.push(`- Exported: ${fmt(new Date(ctx.now).toISOString())}`, '')
  if (state.summary) out.push('## Summary', '', md(state.summary), '')

  out.push('## Roles', '')
  for (const seat of roleBoard(state)) {
    const holder = seat.delegated ? md(seat.holder.name) : `${md(seat.holder.name)} (commander)`
    out.push(
      `- ${ROLE_LABELS[seat.role]}: ${holder}${seat.by ? ` — since ${fmt(seat.since)}, assigned by ${md(seat.by.name)}` : ''}`,
    )
  }
  out.push('')

  out.push(...changesSection(groupChanges(state), fmt))

  out.push('## Stakeholder updates', '')
  const cadence = cadenceStatus(state, ctx.now)
  out.push(
    `Cadence: every ${state.updateCadenceMinutes} min.${cadence.kind !== 'off' ? ` ${describeCadence(cadence)} (due ${fmt(new Date(cadence.dueMs).toISOString())}).` : ''}`,
    '',
  )
  if (!state.updates.length) out.push('No updates posted.', '')
  for (const u of [...state.updates].reverse()) {
    out.push(`### ${fmt(u.at)} · ${md(u.actor.name)}${u.audience ? ` → ${md(u.audience)}` : ''}`, '', md(u.body), '')
  }

  const tasks = [...state.tasks.values()]
  out.push(`## Tasks (${tasks.filter((t) => !t.done).length} open)`, '')
  if (!tasks.length) out.push('No tasks.')
  for (const t of tasks) {
    out.push(
      `- [${t.done ? 'x' : ' '}] ${TASK_KIND_LABELS[t.kind]}: ${md(t.text)}${t.owner ? ` — owner ${md(t.owner)}` : ''}${t.done ? ` (done ${fmt(t.done.at)}, ${md(t.done.actor.name)})` : ''}`,
    )
  }
  out.push('')

  const children = ctx.children ?? []
  if (children.length) {
    out.push('## Sub-incidents', '')
    for (const c of children) out.push(`- ${SEVERITY_LABELS[c.severity]} — ${md(c.title)}: ${STATUS_LABELS[c.status]}`)
    out.push('')
  }

  const handoffs = state.events.filter((e) => e.type === 'role.assigned' && e.payload.briefing)
  if (handoffs.length) {
    out.push('## Handoff briefings', '')
    for (const e of handoffs) {
      if (e.type !== 'role.assigned') continue
      out.push(
        `### ${fmt(e.at)} · ${ROLE_LABELS[e.payload.role]} → ${md(e.payload.person?.name ?? 'the commander')} (from ${md(e.actor.name)})`,
        '',
      )
      out.push(...e.payload.briefing!.split(/\r?\n/).map((l) => `> ${md(l)}`), '')
    }
  }

  if (state.statusHistory.length) {
    out.push('## Status history', '')
    for (const s of state.statusHistory)
      out.push(`- ${fmt(s.at)} · ${md(s.actor.name)}: ${s.from} → ${s.to}${s.note ? ` — ${md(s.note)}` : ''}`)
    out.push('')
  }

  const pinned = [...state.entries.values()].filter((e) => e.pinned)
  if (pinned.length) {
    out.push('## Key entries (pinned)', '')
    for (const entry of pinned)
      out.push(`- ${fmt(entry.at)} · ${md(entry.actor.name)} (${LOG_KIND_LABELS[entry.kind]}): ${entryLine(entry)}`)
    out.push('')
  }

  out.push('## Timeline', '')
  for (const e of state.events) if (hasOwnRow(e)) out.push(timelineLine(e, state, fmt))
  out.push('')
  out[2] = times.zoneNote()
  return out.join('\n')
}

export interface PersonActivity {
  name: string
  id?: string
  items: { at: string; text: string }[]
}

function describeAmendment(e: EventOf<'log.amended'>, state: IncidentState): string {
  const entry = state.entries.get(e.payload.entryId)
  const what = entry ? `“${entry.originalText.slice(0, 80)}”` : 'an entry'
  const parts: string[] = []
  if (e.payload.text !== undefined) parts.push(`corrected ${what} to “${e.payload.text}”`)
  if (e.payload.struck !== undefined) parts.push(`${e.payload.struck ? 'struck' : 'restored'} ${what}`)
  if (e.payload.pinned !== undefined) parts.push(`${e.payload.pinned ? 'pinned' : 'unpinned'} ${what}`)
  const text = parts.join(', ')
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${e.payload.reason ? ` — ${e.payload.reason}` : ''}`
}

/** Each person's events in order, people sorted by name; one pass over the events. */
export function activityByPerson(state: IncidentState): PersonActivity[] {
  const people: PersonActivity[] = []
  const byId = new Map<string, PersonActivity>()
  for (const e of state.events) {
    let person = byId.get(e.actor.id)
    if (!person) {
      // Two devices with one name are one person to a reader of the log.
      person = people.find((p) => sameName(p.name, e.actor.name))
      if (!person) {
        person = { name: e.actor.name, id: e.actor.id, items: [] }
        people.push(person)
      }
      byId.set(e.actor.id, person)
    }
    const text = e.type === 'log.amended' ? describeAmendment(e, state) : describeInContext(e, state)
    // Listed under the actor, whom the record names; who really sent it stays visible.
    const sender = loggedByOther(e)
    const by = sender === null ? '' : ` (logged by ${sender} for ${e.actor.name})`
    person.items.push({
      at: e.at,
      text: `${e.type === 'log.entry' ? `${LOG_KIND_LABELS[e.payload.kind]}: ${text}` : text}${by}`,
    })
  }
  return people.sort((a, b) => a.name.localeCompare(b.name))
}

/** The activity log as Markdown: one section per person, what they did and when. */
export function activityLogMarkdown(state: IncidentState, ctx: ExportContext): string {
  const times = createExportTimes(ctx.timeZone)
  const fmt = times.format
  const out = [
    `# Activity log: ${md(state.title)}`,
    '',
    `Exported ${fmt(new Date(ctx.now).toISOString())}. One section per person, in the order things happened.`,
    '',
    '', // the zone, once every time is written
    '',
  ]
  for (const person of activityByPerson(state)) {
    out.push(`## ${md(person.name)}`, '')
    const roles = roleBoard(state)
      .filter((s) => s.delegated && samePerson({ id: person.id, name: person.name }, s.holder))
      .map((s) => ROLE_LABELS[s.role])
    if (roles.length) out.push(`Now holds: ${roles.join(', ')}`, '')
    for (const item of person.items) out.push(`- ${fmt(item.at)} ${md(item.text)}`)
    out.push('')
  }
  out[4] = times.zoneNote()
  return out.join('\n')
}

/** A file name for a download: the title in lower-case words, then what it is. */
export function exportFileName(state: IncidentState, what: 'incident' | 'activity-log'): string {
  const slug =
    state.title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'incident'
  return `${slug}-${what}.md`
}

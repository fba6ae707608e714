/**
 * Drafts written from the incident's state, for a person to edit before
 * sending: the handoff briefing (the ICS 201 idea: situation, what was changed,
 * what was said, what is left) and the next stakeholder update.
 */
import { cadenceStatus, describeCadence } from './cadence'
import { groupChanges } from './changes'
import { ROLE_LABELS, SEVERITY_LABELS, TASK_KIND_LABELS } from './describe'
import type { IncidentState, IncidentSummary, LogEntry } from './fold'
import { roleBoard } from './roles'

export type TimeFormat = (iso: string) => string

export interface DraftContext {
  now: number
  /** Sub-incidents of this incident (from `childrenOf`). */
  children?: readonly IncidentSummary[]
  /** How a time reads to this person: the UI passes the clock store's `at` (date when not today, their 12/24-hour choice). */
  formatTime: TimeFormat
}

// One table of task-kind words, in describe.ts (the Timeline needs it too); kept importable from here.
export { TASK_KIND_LABELS }
export const STATUS_LABELS = { active: 'Active', mitigated: 'Mitigated', resolved: 'Resolved' } as const

export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** What is affected: where, and what the summary says (or the title). */
export function affected(state: IncidentState): string {
  const what = state.summary.trim() ? clip(state.summary, 300) : state.title
  return state.location.trim() ? `${state.location.trim()} — ${what}` : what
}

/** The newest action and decision entries that still stand (not struck). */
export function recentWork(state: IncidentState, max: number): LogEntry[] {
  const out: LogEntry[] = []
  const events = state.events
  for (let i = events.length - 1; i >= 0 && out.length < max; i--) {
    const e = events[i]!
    if (e.type !== 'log.entry') continue
    const entry = state.entries.get(e.id)
    if (entry && !entry.struck && (entry.kind === 'action' || entry.kind === 'decision')) out.push(entry)
  }
  return out
}

function list(title: string, items: string[], none: string): string[] {
  if (!items.length) return [`${title}: ${none}`]
  return [`${title} (${items.length}):`, ...items.map((i) => `- ${i}`)]
}

/** A handoff briefing draft for whoever takes a role next. */
export function draftBriefing(state: IncidentState, ctx: DraftContext): string {
  const fmt = ctx.formatTime
  const lines: string[] = []
  lines.push(
    `Situation: ${state.title} — ${STATUS_LABELS[state.status]}, ${SEVERITY_LABELS[state.severity]}, declared ${fmt(state.declaredAt)} by ${state.declaredBy.name}.`,
  )
  lines.push(`Affected: ${affected(state)}`)
  lines.push(
    `Roles: ${roleBoard(state)
      .map((s) => `${ROLE_LABELS[s.role]} ${s.delegated ? s.holder.name : '(commander)'}`)
      .join('; ')}.`,
  )

  const changes = groupChanges(state)
  lines.push(
    ...list(
      'Open changes',
      changes.open.map((c) => `${c.system}: ${clip(c.what, 160)} — revert: ${clip(c.revert, 160)}`),
      'none',
    ),
  )
  if (changes.kept.length)
    lines.push(
      ...list(
        'Kept on purpose',
        changes.kept.map(
          ({ change }) => `${change.system}: ${clip(change.what, 160)} — revert: ${clip(change.revert, 160)}`,
        ),
        'none',
      ),
    )

  const last = state.updates[state.updates.length - 1]
  lines.push(
    last
      ? `Last update ${fmt(last.at)} by ${last.actor.name}${last.audience ? ` to ${last.audience}` : ''}: “${clip(last.body, 240)}”`
      : 'No stakeholder update posted yet.',
  )
  const cadence = cadenceStatus(state, ctx.now)
  if (cadence.kind !== 'off')
    lines.push(`${describeCadence(cadence)} (due ${fmt(new Date(cadence.dueMs).toISOString())}).`)

  const tasks = [...state.tasks.values()].filter((t) => !t.done)
  lines.push(
    ...list(
      'Open tasks',
      tasks.map((t) => `[${TASK_KIND_LABELS[t.kind]}] ${clip(t.text, 160)}${t.owner ? ` (owner ${t.owner})` : ''}`),
      'none',
    ),
  )

  const active = (ctx.children ?? []).filter((c) => c.status !== 'resolved')
  if (active.length)
    lines.push(
      ...list(
        'Sub-incidents still open',
        active.map((c) => `SEV${c.severity} ${c.title} (${c.status})`),
        'none',
      ),
    )

  const decisions = recentWork(state, 20)
    .filter((e) => e.kind === 'decision')
    .slice(0, 3)
  if (decisions.length)
    lines.push(
      ...list(
        'Recent decisions',
        decisions.map((d) => `${fmt(d.at)} ${clip(d.text, 160)}`),
        'none',
      ),
    )
  return lines.join('\n')
}

export interface UpdateDraftContext extends DraftContext {
  /** Minutes until the update after this one. */
  nextDueMinutes: number
  /** Who the update is for ("Principals"); blank or absent for nobody in particular. */
  audience?: string
}

/** The generated lines of an update draft, in the order they are written. */
export const UPDATE_DRAFT_PARTS = ['heading', 'affected', 'doing', 'next'] as const
export type UpdateDraftPart = (typeof UPDATE_DRAFT_PARTS)[number]
/** Each generated line of an update draft: one line each, no line breaks inside. */
export type UpdateDraftLines = Record<UpdateDraftPart, string>

/**
 * The lines of a stakeholder update draft: who it is for and the status, what
 * is affected, what we are doing, when we speak next (the time `nextDueMinutes`
 * after `now`, through `formatTime`, so it reads as the card's "next in N min").
 */
export function updateDraftLines(state: IncidentState, ctx: UpdateDraftContext): UpdateDraftLines {
  const fmt = ctx.formatTime
  const work = recentWork(state, 2).map((e) => clip(e.text, 200).replace(/[.!?…]+$/, ''))
  const doing =
    state.status === 'mitigated'
      ? `A workaround is in place; we are fixing the cause.${work.length ? ` Latest: ${work.join('; ')}.` : ''}`
      : work.length
        ? `${work.join('; ')}.`
        : 'Investigating the cause.'
  const audience = clip(ctx.audience ?? '', 80)
  const title = `${clip(state.title, 300)} — ${STATUS_LABELS[state.status]}.`
  return {
    heading: audience ? `Update for ${audience}: ${title}` : title,
    affected: `Affected: ${clip(affected(state), 400)}`,
    doing: `What we are doing: ${doing}`,
    next:
      state.status === 'resolved'
        ? 'This is resolved; no further updates are planned.'
        : `Next update by ${fmt(new Date(ctx.now + ctx.nextDueMinutes * 60_000).toISOString())}.`,
  }
}

/** A stakeholder update draft: what is affected, what we are doing, when we speak next. */
export function draftUpdate(state: IncidentState, ctx: UpdateDraftContext): string {
  const lines = updateDraftLines(state, ctx)
  return UPDATE_DRAFT_PARTS.map((part) => lines[part]).join('\n')
}

/**
 * The draft `text` with its generated lines brought up to date: each line that
 * is still exactly as generated (`before`) becomes its new version (`after`);
 * every other line is the person's own and stays as typed, where they put it.
 * A generated line the person changed is theirs from then on.
 */
export function refreshUpdateDraft(text: string, before: UpdateDraftLines, after: UpdateDraftLines): string {
  const byLine = new Map<string, string>()
  for (const part of UPDATE_DRAFT_PARTS) if (!byLine.has(before[part])) byLine.set(before[part], after[part])
  return text
    .split('\n')
    .map((line) => byLine.get(line) ?? line)
    .join('\n')
}

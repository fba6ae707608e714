/**
 * Runbook checklists inside an incident, derived from its log: a step is done
 * in an incident when a `log.entry` of that incident names it
 * (`runbook: { id, step }`) and that entry is not struck. Every phone holding
 * the same events therefore shows the same ticks, whatever order they came in.
 *
 * Un-ticking a step strikes its entries (`log.amended` struck) rather than
 * deleting anything: the log stays append-only and the mis-tap stays visible
 * in the entry's history.
 */
import { LIMITS } from './vocabulary'
import type { IncidentState, LogEntry } from './fold'

export interface RunbookUse {
  id: string
  /** Steps done (a non-struck entry names them), ascending. */
  done: number[]
  /** When a step of it was last logged (ISO), struck or not: for "recently used" ordering. */
  lastAt: string
}

/** The version of a runbook on screen: its server version (absent for the build's copy) and its steps' ids by position. */
export interface ShownVersion {
  version?: number
  steps: readonly { index: number; id?: string }[]
}

/**
 * Which step of the version on screen a logged tick is. A tick of the version
 * shown (same `runbook.version`) is its position; one that names a step id
 * (`runbook.stepId`) is otherwise the step with that id, or undefined when the
 * step is gone from this version: steps move and change between versions, so
 * a bare position would tick the wrong one. Older ticks without a step id keep
 * meaning their position, as before. Without `shown`, the position.
 */
export function stepPosition(ref: NonNullable<LogEntry['runbook']>, shown?: ShownVersion): number | undefined {
  if (ref.step === undefined || !shown) return ref.step
  if (ref.version !== undefined && shown.version === ref.version) return ref.step
  if (ref.stepId === undefined) return ref.step
  return shown.steps.find((s) => s.id === ref.stepId)?.index
}

/** The log entries that tick `step` of runbook `runbookId` (in `shown`, see stepPosition), oldest first; struck ones only with `includeStruck`. */
export function stepEntries(
  state: IncidentState,
  runbookId: string,
  step: number,
  includeStruck = false,
  shown?: ShownVersion,
): LogEntry[] {
  const out: LogEntry[] = []
  for (const entry of state.entries.values()) {
    if (entry.runbook?.id !== runbookId || stepPosition(entry.runbook, shown) !== step) continue
    if (entry.struck && !includeStruck) continue
    out.push(entry)
  }
  return out.sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0))
}

/** Step indexes of `runbookId` done in this incident (positions in `shown`, see stepPosition). */
export function doneSteps(state: IncidentState, runbookId: string, shown?: ShownVersion): Set<number> {
  const done = new Set<number>()
  for (const entry of state.entries.values()) {
    if (entry.struck || entry.runbook?.id !== runbookId) continue
    const position = stepPosition(entry.runbook, shown)
    if (position !== undefined) done.add(position)
  }
  return done
}

/**
 * "n of m steps done" for `runbookId` in this incident, counted in the version on
 * screen (`shown`, with `stepCount` its m): a tick naming a step id is that step
 * of `shown` (not counted when the step is gone from it, rather than counting
 * whatever moved into its position); a tick without one counts by its position.
 * Without `shown` (no step ids known: the build's copy), by position. Positions
 * at or past `stepCount` (the runbook lost steps since) do not count; null: all count.
 */
export function doneStepCount(
  state: IncidentState,
  runbookId: string,
  stepCount: number | null,
  shown?: ShownVersion,
): number {
  let n = 0
  for (const position of doneSteps(state, runbookId, shown)) if (stepCount === null || position < stepCount) n++
  return n
}

/**
 * Every runbook this incident's log refers to, most recently used first. A
 * runbook whose only ticks were struck is still listed (done: []): someone
 * opened it for this incident, and may want to continue.
 */
export function runbooksUsed(state: IncidentState): RunbookUse[] {
  const byId = new Map<string, { done: Set<number>; lastAt: string; lastHlc: string }>()
  for (const entry of state.entries.values()) {
    if (!entry.runbook) continue
    let use = byId.get(entry.runbook.id)
    if (!use) byId.set(entry.runbook.id, (use = { done: new Set(), lastAt: entry.at, lastHlc: entry.hlc }))
    if (entry.hlc > use.lastHlc) {
      use.lastHlc = entry.hlc
      use.lastAt = entry.at
    }
    if (!entry.struck && entry.runbook.step !== undefined) use.done.add(entry.runbook.step)
  }
  return [...byId.entries()]
    .sort(([a, x], [b, y]) => (x.lastHlc === y.lastHlc ? a.localeCompare(b) : x.lastHlc < y.lastHlc ? 1 : -1))
    .map(([id, use]) => ({ id, done: [...use.done].sort((a, b) => a - b), lastAt: use.lastAt }))
}

/**
 * The log text for a ticked step. It names the runbook too: the Timeline and
 * the exported log show only the text, and "✓ Check the lights" alone does not
 * say which closet's checklist it came from. The runbook's parameter values,
 * when given, follow in brackets (`(switch_ip: 10.20.12.5)`): they are in the
 * event's `runbook.parameters` as well, but the text is what every phone,
 * older ones included, and every export shows.
 */
export function stepLogText(
  stepText: string,
  runbookTitle: string,
  stepIndex: number,
  parameters?: Readonly<Record<string, string>>,
): string {
  const values = Object.entries(parameters ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join(', ')
  const text = `✓ ${stepText.trim() || `Step ${stepIndex + 1}`} — ${runbookTitle.trim()}, step ${stepIndex + 1}${values ? ` (${values})` : ''}`
  return text.length <= LIMITS.logText ? text : `${text.slice(0, LIMITS.logText - 1)}…`
}

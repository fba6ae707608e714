/**
 * The constants of the event vocabulary (CONTRACT.md §1) and the visible-text
 * rule, without the schemas: what the first screen needs (limits, role and
 * status names) loads without valibot, which arrives with the first write.
 * `./events` re-exports all of it.
 */

/**
 * A character a reader can see. Not visible: white space, control and format
 * characters (zero-width space, joiners, BOM, bidi marks), lone surrogates,
 * default-ignorable code points (Hangul fillers, variation selectors), the
 * braille blank, and combining marks, which need a base character to sit on
 * (300 of them alone render as nothing readable).
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Cs}\p{M}\p{Default_Ignorable_Code_Point}\u2800]/u

/** True when `s` has at least one character a reader can see (see VISIBLE). */
export function hasVisibleText(s: string): boolean {
  return VISIBLE.test(s)
}

export const LIMITS = {
  title: 200,
  summary: 4000,
  location: 200,
  logText: 4000,
  system: 200,
  changeText: 4000,
  updateBody: 8000,
  audience: 80,
  taskText: 1000,
  personName: 80,
  batchEvents: 500,
  bodyBytes: 1024 * 1024,
} as const

export const SEVERITIES = [1, 2, 3, 4] as const
export const STATUSES = ['active', 'mitigated', 'resolved'] as const
export const ROLES = ['command', 'ops', 'comms', 'planning'] as const
export const LOG_KINDS = ['action', 'observation', 'decision', 'note'] as const
export const TASK_KINDS = ['followup', 'bug', 'handoff', 'staffing', 'other'] as const
export const DEFAULT_UPDATE_CADENCE_MINUTES = 30

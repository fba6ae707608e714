/**
 * What a command (a typed action the UI calls, e.g. `recordChange`) answers.
 * Pure types and one helper, shared by every feature's commands and by `useSave`.
 */

/** Form field → the message shown beside it. Keys are the command's argument names, the same as the payload's fields. */
export type FieldErrors = Record<string, string>

/**
 * The stored value, or why not. `fields` is set only when the input itself was
 * wrong (then nothing was stored): a form shows each message beside its field.
 * It is a `Validation` with one optional extra, so code that reads `reason` keeps working.
 */
export type CommandResult<T> = { ok: true; value: T } | { ok: false; reason: string; fields?: FieldErrors }

/** The failure for some field errors, or null when there are none; its reason is the first message. */
export function invalidFields(fields: FieldErrors): { ok: false; reason: string; fields: FieldErrors } | null {
  const first = Object.values(fields)[0]
  return first === undefined ? null : { ok: false, reason: first, fields }
}

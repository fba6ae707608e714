/**
 * Runbook editing on this phone, kept in the `kv` table (no schema change):
 *  - `runbookDraft:<key>`: the text being edited, written as it is typed, so a
 *    reload, a crash or a dead battery never loses it;
 *  - `runbookBase:<id>`: the published source it was edited from, kept so the
 *    editor opens offline once the runbook was opened online once (the build
 *    ships compiled HTML, not sources);
 *  - `runbookOutbox:<key>`: a proposal waiting for the server, refused by it,
 *    or the answer it got ("proposed as version N").
 *
 * `<key>` is the runbook id, or `*new` for the new runbook being written (no
 * id may hold `*`). One draft and one proposal per key: proposing again
 * replaces the previous one. Wiping the phone deletes them with the database.
 */
import type { CommandPostDatabase } from './database'

/** The draft key of a runbook not on the server yet. */
export const NEW_RUNBOOK_KEY = '*new'

export interface RunbookDraft {
  /** `NEW_RUNBOOK_KEY` or the runbook id. */
  key: string
  /** The id: the runbook's, or the one typed for a new runbook ('' until typed). */
  runbookId: string
  source: string
  note: string
  /** The published version this was edited from; null for a new runbook. */
  baseVersion: number | null
  /** ISO 8601, this phone's clock: when it was last typed. */
  updatedAt: string
}

/** A published source kept for editing offline. */
export interface RunbookBase {
  version: number
  source: string
}

/**
 * A proposal as this phone knows it. `queued`: stored, not yet accepted by the
 * server (offline, or the server unreachable); `refused`: the server said no
 * (`status` and its `message`), not retried; `proposed`: the server stored it as `version`.
 */
export interface RunbookProposal {
  key: string
  runbookId: string
  isNew: boolean
  source: string
  note: string
  baseVersion: number | null
  queuedAt: string
  /**
   * The idempotency key sent with every attempt (`proposalId` on the wire), made once
   * when proposed: an attempt whose answer was lost and is sent again is stored once.
   * Absent on rows queued before keys existed; the sender adds one before sending.
   */
  proposalId?: string
  state: 'queued' | 'refused' | 'proposed'
  status?: number
  message?: string
  version?: number
}

const draftKey = (key: string) => `runbookDraft:${key}`
const baseKey = (id: string) => `runbookBase:${id}`
const OUTBOX = 'runbookOutbox:'

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

function isDraft(value: unknown): value is RunbookDraft {
  return (
    isObject(value) &&
    typeof value.key === 'string' &&
    typeof value.runbookId === 'string' &&
    typeof value.source === 'string' &&
    typeof value.note === 'string' &&
    (value.baseVersion === null || typeof value.baseVersion === 'number')
  )
}

function isProposal(value: unknown): value is RunbookProposal {
  return (
    isObject(value) &&
    typeof value.key === 'string' &&
    typeof value.source === 'string' &&
    typeof value.state === 'string'
  )
}

/** The draft stored under `key`, or null (none, or not a row this version wrote). */
export async function readRunbookDraft(db: CommandPostDatabase, key: string): Promise<RunbookDraft | null> {
  const value = (await db.kv.get(draftKey(key)))?.value
  return isDraft(value) ? value : null
}

/** Stores the draft (replacing the previous one). Rejects when storage refuses the write (full, blocked). */
export async function writeRunbookDraft(db: CommandPostDatabase, draft: RunbookDraft): Promise<void> {
  await db.kv.put({ key: draftKey(draft.key), value: { ...draft } })
}

export async function deleteRunbookDraft(db: CommandPostDatabase, key: string): Promise<void> {
  await db.kv.delete(draftKey(key))
}

export async function readRunbookBase(db: CommandPostDatabase, id: string): Promise<RunbookBase | null> {
  const value = (await db.kv.get(baseKey(id)))?.value
  return isObject(value) && typeof value.version === 'number' && typeof value.source === 'string'
    ? { version: value.version, source: value.source }
    : null
}

export async function writeRunbookBase(db: CommandPostDatabase, id: string, base: RunbookBase): Promise<void> {
  await db.kv.put({ key: baseKey(id), value: { ...base } })
}

/** The proposal stored for `key` (queued, refused or proposed), or null. */
export async function readRunbookProposal(db: CommandPostDatabase, key: string): Promise<RunbookProposal | null> {
  const value = (await db.kv.get(OUTBOX + key))?.value
  return isProposal(value) ? value : null
}

/** Every stored proposal (queued, refused or proposed), in key order: what the editor shows. */
export async function allRunbookProposals(db: CommandPostDatabase): Promise<RunbookProposal[]> {
  const rows = await db.kv.where('key').startsWith(OUTBOX).toArray()
  return rows.map((row) => row.value).filter(isProposal)
}

/** Every stored proposal still waiting for the server, oldest first. */
export async function queuedRunbookProposals(db: CommandPostDatabase): Promise<RunbookProposal[]> {
  const rows = await db.kv.where('key').startsWith(OUTBOX).toArray()
  return rows
    .map((row) => row.value)
    .filter(isProposal)
    .filter((p) => p.state === 'queued')
    .sort((a, b) => a.queuedAt.localeCompare(b.queuedAt))
}

/** Stores `proposal` (replacing the one for its key). Durable once this resolves; the draft stays. */
export async function writeRunbookProposal(db: CommandPostDatabase, proposal: RunbookProposal): Promise<void> {
  await db.kv.put({ key: OUTBOX + proposal.key, value: { ...proposal } })
}

/**
 * The server stored `proposal` as `version`: records it, and forgets the draft
 * when it still holds exactly what was proposed (text typed since is kept).
 * One transaction, so a crash cannot lose the draft without the answer.
 * Does nothing when the stored proposal is no longer this one (proposed again since).
 */
export async function markRunbookProposed(
  db: CommandPostDatabase,
  proposal: RunbookProposal,
  version: number,
): Promise<void> {
  await db.transaction('rw', db.kv, async () => {
    const stored = await readRunbookProposal(db, proposal.key)
    if (!stored || stored.queuedAt !== proposal.queuedAt) return
    await writeRunbookProposal(db, { ...stored, state: 'proposed', version })
    const draft = await readRunbookDraft(db, proposal.key)
    if (draft && draft.source === proposal.source && draft.note === proposal.note)
      await deleteRunbookDraft(db, proposal.key)
  })
}

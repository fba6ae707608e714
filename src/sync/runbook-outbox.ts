/**
 * Sends the runbook proposals queued on this phone (src/db/runbook-drafts.ts)
 * to the server, oldest first. Each is stored before it is sent, so going
 * offline, closing the app or a server error loses nothing: it stays queued
 * and is sent on the next run (the sync engine runs this after each good
 * round, in the leader tab only: src/sync/engine.ts). Each carries its
 * idempotency key (`proposalId`): one sent again because its answer was lost
 * is answered with the version the server stored the first time.
 *
 * A refusal (4xx other than 408/429: too large, id clash, bad field, no write
 * access) is final for that proposal: it is marked refused with the server's
 * message and not retried; the draft stays. No answer, 408, 429 or 5xx: the
 * run stops and the proposals stay queued.
 */
import type { CommandPostDatabase } from '../db/database'
import { newId } from '../domain/ids'
import {
  markRunbookProposed,
  queuedRunbookProposals,
  readRunbookProposal,
  writeRunbookProposal,
  type RunbookProposal,
} from '../db/runbook-drafts'
import { RunbookApiError, type RunbookApi } from './runbook-api'

/** What a run did: proposals the server stored, refused, and left queued. */
export interface OutboxRun {
  proposed: number
  refused: number
  waiting: number
}

/** A refusal the proposal cannot get past by being sent again. */
export function isFinalRefusal(error: unknown): error is RunbookApiError {
  return (
    error instanceof RunbookApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    error.status !== 408 &&
    error.status !== 429
  )
}

function send(api: RunbookApi, p: RunbookProposal & { proposalId: string }) {
  if (p.isNew) return api.create(p.runbookId, p.source, p.note || undefined, p.proposalId)
  return api.propose(p.runbookId, p.source, {
    ...(p.note ? { note: p.note } : {}),
    ...(p.baseVersion !== null ? { baseVersion: p.baseVersion } : {}),
    proposalId: p.proposalId,
  })
}

/**
 * The proposal with its idempotency key. A row queued before keys existed gets one,
 * stored before the first attempt that carries it, so every later attempt sends the same.
 */
async function withKey(
  db: CommandPostDatabase,
  p: RunbookProposal,
): Promise<(RunbookProposal & { proposalId: string }) | null> {
  if (p.proposalId) return { ...p, proposalId: p.proposalId }
  return db.transaction('rw', db.kv, async () => {
    const stored = await readRunbookProposal(db, p.key)
    // Proposed again meanwhile, or no longer queued: not this one's turn.
    if (!stored || stored.queuedAt !== p.queuedAt || stored.state !== 'queued') return null
    const keyed = { ...stored, proposalId: stored.proposalId ?? newId() }
    await writeRunbookProposal(db, keyed)
    return keyed
  })
}

/** Sends every queued proposal; never rejects for a server answer (storage failures do reject). */
export async function sendRunbookOutbox(db: CommandPostDatabase, api: RunbookApi): Promise<OutboxRun> {
  const queued = await queuedRunbookProposals(db)
  const run: OutboxRun = { proposed: 0, refused: 0, waiting: queued.length }
  for (const queuedProposal of queued) {
    const proposal = await withKey(db, queuedProposal)
    if (!proposal) {
      run.waiting--
      continue
    }
    let version: number
    try {
      version = (await send(api, proposal)).version
    } catch (error) {
      if (!isFinalRefusal(error)) return run
      const stored = await readRunbookProposal(db, proposal.key)
      // Proposed again while this one was on its way: the newer one decides.
      if (stored?.queuedAt === proposal.queuedAt)
        await writeRunbookProposal(db, { ...stored, state: 'refused', status: error.status, message: error.message })
      run.refused++
      run.waiting--
      continue
    }
    await markRunbookProposed(db, proposal, version)
    run.proposed++
    run.waiting--
  }
  return run
}

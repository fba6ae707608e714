/**
 * Sends the runbook proposals queued on this phone (src/db/runbook-drafts.ts)
 * to the server, oldest first. Each is stored before it is sent, so going
 * offline, closing the app or a server error loses nothing: it stays queued
 * and is sent on the next run (the editor store runs this when the browser
 * comes back online, when the app starts syncing, and on "Propose").
 *
 * A refusal (4xx other than 408/429: too large, id clash, bad field, no write
 * access) is final for that proposal: it is marked refused with the server's
 * message and not retried; the draft stays. No answer, 408, 429 or 5xx: the
 * run stops and the proposals stay queued.
 */
import type { CommandPostDatabase } from '../db/database'
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

function send(api: RunbookApi, p: RunbookProposal) {
  if (p.isNew) return api.create(p.runbookId, p.source, p.note || undefined)
  return api.propose(p.runbookId, p.source, {
    ...(p.note ? { note: p.note } : {}),
    ...(p.baseVersion !== null ? { baseVersion: p.baseVersion } : {}),
  })
}

/** Sends every queued proposal; never rejects for a server answer (storage failures do reject). */
export async function sendRunbookOutbox(db: CommandPostDatabase, api: RunbookApi): Promise<OutboxRun> {
  const queued = await queuedRunbookProposals(db)
  const run: OutboxRun = { proposed: 0, refused: 0, waiting: queued.length }
  for (const proposal of queued) {
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

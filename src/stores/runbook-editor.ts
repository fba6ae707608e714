import { defineStore, acceptHMRUpdate } from 'pinia'
import { ref, shallowRef } from 'vue'
import { localData } from '../db/load'
import { newId } from '../domain/ids'
import {
  allRunbookProposals,
  deleteRunbookDraft,
  readRunbookBase,
  readRunbookDraft,
  readRunbookProposal,
  writeRunbookBase,
  writeRunbookDraft,
  writeRunbookProposal,
  type RunbookBase,
  type RunbookDraft,
  type RunbookProposal,
} from '../db/runbook-drafts'
import type { FetchLike } from '../sync/api'
import { createRunbookApi, RunbookApiError, type RunbookApi } from '../sync/runbook-api'
import { useSyncStore } from './sync'

export { NEW_RUNBOOK_KEY } from '../db/runbook-drafts'
export type { RunbookBase, RunbookDraft, RunbookProposal }
export { RunbookApiError }

const inBrowser = typeof window !== 'undefined'
const db = () => localData().then(({ database }) => database())

/**
 * Editing runbooks on this phone: drafts and queued proposals (kept in the
 * phone's database, src/db/runbook-drafts.ts), and the server's runbook API
 * for history, diffs, publishing and restoring. "Propose" only stores the
 * proposal (so it works offline) and asks sync to run soon: the sync engine
 * sends the outbox after each round, in the leader tab only (src/sync/engine.ts),
 * and this store observes the stored outbox to show "queued", "proposed as N" or
 * the server's refusal, whichever tab sent it. Server calls reject with
 * RunbookApiError (its message is the server's, meant to be shown) or fetch's
 * error when offline.
 */
export const useRunbookEditorStore = defineStore('runbook-editor', () => {
  /** The latest known proposal per draft key, as stored (queued, refused or proposed). */
  const proposals = ref<Record<string, RunbookProposal>>({})
  /** Last failure to store or send, for the screens to show. */
  const lastError = shallowRef<string>('')
  let fetchFn: FetchLike = (input, init) => fetch(input, init)

  /** For tests: the fetch the API calls use. */
  function useFetch(fn: FetchLike): void {
    fetchFn = fn
  }

  /**
   * The API bound to this phone's server and token, or null when the phone has
   * not joined one. A page opened directly (a reload on the history screen) may
   * ask before the sync store has read its settings: it waits for them.
   */
  async function api(): Promise<RunbookApi | null> {
    const sync = useSyncStore()
    if (!sync.joined && inBrowser) await sync.start().catch(() => {})
    if (!sync.joined) return null
    return createRunbookApi({ serverUrl: sync.serverUrl, token: sync.token }, fetchFn)
  }

  async function requireApi(): Promise<RunbookApi> {
    const bound = await api()
    if (!bound) throw new RunbookApiError(0, 'This phone has not joined a sync server: join one in Settings first.')
    return bound
  }

  async function refresh(key: string): Promise<RunbookProposal | null> {
    const stored = await readRunbookProposal(await db(), key)
    const next = { ...proposals.value }
    if (stored) next[key] = stored
    else delete next[key]
    proposals.value = next
    return stored
  }

  let watching: Promise<void> | null = null
  /**
   * Keeps `proposals` equal to the stored outbox from now on: the sync engine
   * (this tab's or another tab's) writes each answer there. Started by the
   * editor's first read, so a phone that never opens the editor never runs it.
   */
  function watchOutbox(): Promise<void> {
    watching ??= localData().then(({ database, liveQuery }) => {
      const observed = database()
      liveQuery(() => allRunbookProposals(observed)).subscribe({
        next: (list) => {
          proposals.value = Object.fromEntries(list.map((p) => [p.key, p]))
        },
        error: (e: unknown) => {
          lastError.value = `Proposals not read from this phone: ${(e as Error).message}`
        },
      })
    })
    return watching
  }

  /** The stored draft for `key`, and the stored proposal (shown as its state). */
  async function openDraft(key: string): Promise<{ draft: RunbookDraft | null; proposal: RunbookProposal | null }> {
    void watchOutbox()
    const database = await db()
    const [draft, proposal] = await Promise.all([readRunbookDraft(database, key), refresh(key)])
    return { draft, proposal }
  }

  /**
   * The published source to edit from: the server's when it answers (kept on
   * this phone for next time), else the one kept from an earlier visit, else
   * null (never opened online: the build ships no sources).
   */
  async function base(id: string): Promise<RunbookBase | null> {
    const database = await db()
    const bound = await api()
    if (bound) {
      try {
        const history = await bound.history(id)
        if (history.publishedVersion !== null) {
          const published = await bound.version(id, history.publishedVersion)
          const fresh = { version: published.version, source: published.source }
          await writeRunbookBase(database, id, fresh)
          return fresh
        }
      } catch {
        // Offline or refused: fall back to the copy kept on this phone.
      }
    }
    return readRunbookBase(database, id)
  }

  /** Stores the draft. Rejects when storage refuses (the text is still in the editor). */
  async function saveDraft(draft: RunbookDraft): Promise<void> {
    await writeRunbookDraft(await db(), draft)
  }

  async function discardDraft(key: string): Promise<void> {
    await deleteRunbookDraft(await db(), key)
  }

  /**
   * Queues `draft` as a proposal with a new idempotency key (durable before this
   * resolves) and asks sync to run soon; resolves with it as stored, `queued`.
   * The sync engine sends it (at once when online, else when back online), and
   * `proposals[key]` then becomes `proposed` (with its version) or `refused`
   * (with the server's message). The draft stays until the server has it.
   */
  async function propose(draft: RunbookDraft): Promise<RunbookProposal> {
    void watchOutbox()
    const database = await db()
    await writeRunbookDraft(database, draft)
    const proposal: RunbookProposal = {
      key: draft.key,
      runbookId: draft.runbookId,
      isNew: draft.baseVersion === null,
      source: draft.source,
      note: draft.note.trim(),
      baseVersion: draft.baseVersion,
      queuedAt: new Date().toISOString(),
      proposalId: newId(),
      state: 'queued',
    }
    await writeRunbookProposal(database, proposal)
    proposals.value = { ...proposals.value, [draft.key]: proposal }
    useSyncStore().sendSoon()
    return proposal
  }

  return {
    proposals,
    lastError,
    useFetch,
    watchOutbox,
    openDraft,
    base,
    saveDraft,
    discardDraft,
    propose,
    history: async (id: string) => (await requireApi()).history(id),
    version: async (id: string, version: number) => (await requireApi()).version(id, version),
    diff: async (id: string, from: number, to: number) => (await requireApi()).diff(id, from, to),
    publish: async (id: string, version: number) => (await requireApi()).publish(id, version),
    restore: async (id: string, version: number) => (await requireApi()).restore(id, version),
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useRunbookEditorStore, import.meta.hot))

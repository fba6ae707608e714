import { defineStore, acceptHMRUpdate } from 'pinia'
import { ref, shallowRef } from 'vue'
import { singleFlight } from '../domain/single-flight'
import { localData } from '../db/load'
import {
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
import { sendRunbookOutbox } from '../sync/runbook-outbox'
import { useSyncStore } from './sync'

export { NEW_RUNBOOK_KEY } from '../db/runbook-drafts'
export type { RunbookBase, RunbookDraft, RunbookProposal }
export { RunbookApiError }

const inBrowser = typeof window !== 'undefined'
const db = () => localData().then(({ database }) => database())

/**
 * Editing runbooks on this phone: drafts and queued proposals (kept in the
 * phone's database, src/db/runbook-drafts.ts), and the server's runbook API
 * for history, diffs, publishing and restoring. Proposals are stored before
 * they are sent and sent again whenever the browser comes back online, so
 * "Propose" works offline. Server calls reject with RunbookApiError (its
 * message is the server's, meant to be shown) or fetch's error when offline.
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

  const flight = singleFlight(async () => {
    const bound = await api()
    if (!bound) return
    const database = await db()
    await sendRunbookOutbox(database, bound)
    for (const key of Object.keys(proposals.value)) await refresh(key)
  })

  /** Sends the queued proposals now; resolves when done (they stay queued when there is no answer). */
  function flush(): Promise<void> {
    return flight.run().catch((e: unknown) => {
      lastError.value = `Proposals not sent: ${(e as Error).message}`
    })
  }

  if (inBrowser) window.addEventListener('online', () => void flush())

  /** The stored draft for `key`, and the stored proposal (shown as its state). */
  async function openDraft(key: string): Promise<{ draft: RunbookDraft | null; proposal: RunbookProposal | null }> {
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
   * Queues `draft` as a proposal (durable before this resolves), then tries to
   * send it. Resolves with the proposal as stored afterwards: `queued` (no
   * answer yet: sent when online), `proposed` (with its version) or `refused`
   * (with the server's message). The draft stays until the server has it.
   */
  async function propose(draft: RunbookDraft): Promise<RunbookProposal> {
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
      state: 'queued',
    }
    await writeRunbookProposal(database, proposal)
    proposals.value = { ...proposals.value, [draft.key]: proposal }
    await flush()
    return (await refresh(draft.key)) ?? proposal
  }

  return {
    proposals,
    lastError,
    useFetch,
    flush,
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

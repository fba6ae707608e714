import { defineStore, acceptHMRUpdate } from 'pinia'
import { ref, shallowRef } from 'vue'
import { assertNever } from '../domain/assert'
import type { CommandResult } from '../domain/command-result'
import {
  createAdminApi,
  type AdminApi,
  type AdminAuditEntry,
  type AdminIssueAnswer,
  type AdminToken,
  type IssueGrants,
} from '../sync/admin-api'
import { SyncError, type FetchLike, type SyncFailure } from '../sync/api'
import { useSyncStore } from './sync'

export type { AdminAuditEntry, AdminIssueAnswer }

/** What the admin reads when a call fails: what happened and what to do, never a status code alone. */
export function describeAdminFailure(failure: SyncFailure): string {
  switch (failure.kind) {
    case 'network':
      return 'The server cannot be reached. Nothing was changed; try again when this phone is online.'
    case 'auth':
      return 'The server refused: this phone’s access token is not an admin’s (any more).'
    case 'wiped':
      return 'The server refused: this phone’s access token was revoked.'
    case 'read-only':
      return 'The server refused: this phone’s access token is read-only.'
    case 'rate-limited':
    case 'quota':
      return 'The server is busy. Nothing was changed; try again in a moment.'
    case 'server-storage':
      return 'The server’s storage is full, so it cannot record the change. Nothing was changed.'
    case 'too-large':
      return 'The server refused the request as too large.'
    case 'bad-answer':
      return 'The server sent an answer this app cannot read. Is the Server URL right?'
    case 'server':
      return failure.status >= 500
        ? 'The server had a problem. Nothing was changed; try again shortly.'
        : `The server refused: ${failure.message}`
    default:
      return assertNever(failure, 'sync failure')
  }
}

function reasonOf(e: unknown): string {
  if (e instanceof SyncError) return describeAdminFailure(e.failure)
  throw e
}

/** Lets tests answer the admin calls; the page uses the browser's fetch. */
const pageFetch: FetchLike = (input, init) => fetch(input, init)

/**
 * Settings → Team, for an admin's token: who this token is (`me`), every person's
 * tokens with their devices, the audit trail, and the commands that change them.
 * Loaded with the admin section only (never on the first screen). Every command
 * answers a CommandResult whose reason is a sentence to show, and refreshes the
 * lists after a change, so what is shown is what the server holds.
 */
export const useAdminStore = defineStore('admin', () => {
  const sync = useSyncStore()
  /** null: not asked yet, or the question failed (`error` says why). */
  const me = shallowRef<{ name: string; admin: boolean; readOnly: boolean } | null>(null)
  const tokens = shallowRef<AdminToken[]>([])
  const audit = shallowRef<AdminAuditEntry[]>([])
  const loading = ref(false)
  /** Why the last check or refresh failed; '' when it did not. */
  const error = ref('')
  let fetchFn: FetchLike = pageFetch

  const api = (): AdminApi => createAdminApi({ serverUrl: sync.serverUrl, token: sync.token }, fetchFn)

  /** For tests: answer the calls with this fetch. */
  function setFetch(f: FetchLike): void {
    fetchFn = f
  }

  /** Ask the server who this phone's token is; loads the lists when it is an admin's. */
  async function check(): Promise<void> {
    me.value = null
    tokens.value = []
    audit.value = []
    error.value = ''
    if (!sync.joined) return
    loading.value = true
    try {
      me.value = await api().me()
      if (me.value.admin) await load()
    } catch (e) {
      error.value = reasonOf(e)
    } finally {
      loading.value = false
    }
  }

  async function load(): Promise<void> {
    const calls = api()
    const [t, a] = await Promise.all([calls.tokens(), calls.audit()])
    tokens.value = t
    audit.value = a
  }

  /** Read the lists again; a failure keeps what was shown and says why in `error`. */
  async function refresh(): Promise<void> {
    loading.value = true
    try {
      await load()
      error.value = ''
    } catch (e) {
      error.value = reasonOf(e)
    } finally {
      loading.value = false
    }
  }

  async function change<T>(run: (calls: AdminApi) => Promise<T>): Promise<CommandResult<T>> {
    let value: T
    try {
      value = await run(api())
    } catch (e) {
      return { ok: false, reason: reasonOf(e) }
    }
    await refresh()
    return { ok: true, value }
  }

  /** Issue a token for `name`. The answer's token and link are shown once: the server keeps only a hash. */
  function issue(name: string, grants: IssueGrants): Promise<CommandResult<AdminIssueAnswer>> {
    const clean = name.trim()
    if (!clean)
      return Promise.resolve({
        ok: false,
        reason: 'Enter the person’s name.',
        fields: { name: 'Enter the person’s name.' },
      })
    return change((calls) => calls.issue(clean, grants))
  }

  /** Make `name`'s tokens read-only (or writable again). */
  function setReadOnly(name: string, readOnly: boolean): Promise<CommandResult<number>> {
    return change((calls) => calls.setReadOnly(name, readOnly))
  }

  /** Revoke `name`'s tokens; with `wipe` their phones delete their Command Post data at their next contact. */
  function revoke(name: string, wipe: boolean): Promise<CommandResult<number>> {
    return change((calls) => calls.revoke(name, wipe))
  }

  return { me, tokens, audit, loading, error, setFetch, check, refresh, issue, setReadOnly, revoke }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useAdminStore, import.meta.hot))

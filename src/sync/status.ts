/**
 * What the sync indicator can say. A typed union, so every state has a
 * deliberate wording (CONTRACT.md §3: Offline, Syncing, Synced, Local only).
 */
export type SyncStatus =
  | { kind: 'local-only' }
  | { kind: 'offline' }
  | { kind: 'syncing' }
  | { kind: 'synced'; at: string }
  /**
   * Pulled everything, but the token is read-only: this phone's own entries stay
   * pending on the phone (never lost) and are not retried until the settings change
   * or "Sync now".
   */
  | { kind: 'read-only'; at: string }
  /** The admin revoked this phone's token with a wipe: its data is deleted, sync has stopped. */
  | { kind: 'wiped' }
  | { kind: 'error'; problem: SyncProblem; retryAt: number | null }

/**
 * Why the last attempt failed. `auth` is the only one that is not retried:
 * the token will not start working by itself.
 */
export type SyncProblem =
  | 'unreachable'
  | 'auth'
  | 'rate-limited'
  | 'server'
  | 'bad-answer'
  | 'storage'
  /** The server's daily storage quota (this token's or everyone's) is used up: sending waits for the next UTC day. */
  | 'quota'
  /** The server's disk is full or read-only: sending waits; receiving goes on. */
  | 'server-storage'

/** The short wording for the header: always starts with a word from CONTRACT.md §3. */
const PROBLEM_LABELS: Record<SyncProblem, string> = {
  unreachable: 'Offline · server unreachable',
  auth: 'Offline · access token refused',
  'rate-limited': 'Syncing · server busy',
  server: 'Offline · server error',
  'bad-answer': 'Offline · unexpected answer from the server',
  storage: 'Offline · phone storage problem',
  quota: 'Syncing · server quota reached',
  'server-storage': 'Offline · server storage full',
}

/**
 * The header's label. `storageFull`: this phone's last local write failed for
 * want of space; that is said whatever sync is doing, since it is what the
 * responder must act on (Local only phones say it too). `pending` (events not
 * yet acknowledged by a server) is shown as `N pending`, except while Local
 * only: with no server joined, nothing is waiting to be sent.
 */
export function describeSyncStatus(status: SyncStatus, pending: number, rejected: number, storageFull = false): string {
  const base = storageFull
    ? status.kind === 'local-only'
      ? 'Local only · phone storage problem'
      : PROBLEM_LABELS.storage
    : status.kind === 'error'
      ? PROBLEM_LABELS[status.problem]
      : {
          'local-only': 'Local only',
          offline: 'Offline',
          syncing: 'Syncing',
          synced: 'Synced',
          'read-only': 'Read-only',
          wiped: 'Local only · wiped by the admin',
        }[status.kind]
  const parts = [base]
  // Before a server is joined nothing is waiting to be sent: everything is simply on this phone.
  if (pending > 0 && status.kind !== 'local-only') parts.push(`${pending} pending`)
  if (rejected > 0) parts.push(`${rejected} refused by server`)
  return parts.join(' · ')
}

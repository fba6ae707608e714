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

/** What a wiped phone says, in Settings and on the join screen. */
export const WIPED_MESSAGE =
  'This phone was wiped by the team’s admin: its access token was revoked, and the incidents, drafts and settings kept on it were deleted. Ask the admin for a new join link.'

/** The long wording for a read-only token, for Settings. */
export const READ_ONLY_MESSAGE =
  'This phone’s access token is read-only: it receives the team’s entries but cannot send its own. What you log stays on this phone, waiting; ask the team’s admin for a token that can write.'

/** The long wording, for Settings and the join screen. */
export const SYNC_PROBLEM_MESSAGES: Record<SyncProblem, string> = {
  unreachable: 'The server cannot be reached. Everything you log is kept on this phone and sent when it can be.',
  auth: 'Access token refused — ask for a new join link.',
  'rate-limited': 'The server is busy. Sync will try again shortly.',
  server: 'The server had a problem. Sync will try again shortly.',
  'bad-answer':
    'The server sent an answer this app cannot read (is the Server URL right, or is a sign-in page in the way?). Sync will try again shortly.',
  storage: 'This phone could not save what the server sent (is its storage full?). Sync will try again shortly.',
  quota:
    "The server's daily storage quota is used up. Everything you log is kept on this phone and sent when the quota renews (at midnight UTC); entries from others still arrive.",
  'server-storage':
    "The server's storage is full, so it cannot take new entries. Everything you log is kept on this phone and sent once the server has room; entries from others still arrive.",
}

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

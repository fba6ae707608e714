/**
 * The long wording of sync problems, for Settings and the join screen. Its own
 * module, loaded when a problem first shows (src/stores/sync.ts): a phone that
 * syncs happily never fetches it, and the first screen does not carry it.
 */
import type { SyncProblem, SyncStatus } from './status'

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

/** The long explanation of `status`, or '' when there is nothing to explain. */
export function syncProblemMessage(status: SyncStatus): string {
  if (status.kind === 'read-only') return READ_ONLY_MESSAGE
  if (status.kind === 'wiped') return WIPED_MESSAGE
  return status.kind === 'error' ? SYNC_PROBLEM_MESSAGES[status.problem] : ''
}

/**
 * What the sync indicator can say. A typed union, so every state has a
 * deliberate wording (CONTRACT.md §3: Offline, Syncing, Synced, Local only).
 */
export type SyncStatus =
  | { kind: 'local-only' }
  | { kind: 'offline' }
  | { kind: 'syncing' }
  | { kind: 'synced'; at: string }
  | { kind: 'error'; message: string; retryAt: number | null }

export function describeSyncStatus(status: SyncStatus, pending: number, rejected: number): string {
  const base = {
    'local-only': 'Local only',
    offline: 'Offline',
    syncing: 'Syncing',
    synced: 'Synced',
    error: 'Offline · server unreachable',
  }[status.kind]
  const parts = [base]
  if (pending > 0) parts.push(`${pending} pending`)
  if (rejected > 0) parts.push(`${rejected} refused by server`)
  return parts.join(' · ')
}

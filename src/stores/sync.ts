import { defineStore, acceptHMRUpdate } from 'pinia'
import { liveQuery, type Subscription } from 'dexie'
import { computed, ref, shallowRef } from 'vue'
import { database } from '../db/database'
import { pendingCount } from '../db/events'
import type { SyncStatus } from '../sync/status'
import { describeSyncStatus } from '../sync/status'
import { useIncidentsStore } from './incidents'

/** Sync state for the indicator and Settings. */
export const useSyncStore = defineStore('sync', () => {
  const status = shallowRef<SyncStatus>({ kind: 'local-only' })
  const pending = ref(0)
  let subscription: Subscription | null = null

  function start(): void {
    subscription ??= liveQuery(() => pendingCount(database())).subscribe({ next: (n) => { pending.value = n } })
  }

  const label = computed(() => describeSyncStatus(status.value, pending.value, useIncidentsStore().rejected.size))

  return { status, pending, label, start }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useSyncStore, import.meta.hot))

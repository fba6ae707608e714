import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed, ref, watch, type WatchStopHandle } from 'vue'
import { localData } from '../db/load'
import { useIncidentsStore } from './incidents'
import { useProfileStore } from './profile'

/**
 * Whether the browser may evict this phone's data (IndexedDB: every incident
 * logged offline) when space runs low, and how much of the quota it uses.
 *
 * Persistence is asked for once, at a moment that explains itself: when the
 * responder declares an incident on this phone, or when the app is installed
 * (useInstallStore). Never on load: Firefox shows a prompt, and Chromium
 * decides from engagement, which is higher by then. Settings can ask again.
 */
export const usePersistenceStore = defineStore('persistence', () => {
  const isSupported = typeof navigator !== 'undefined' && typeof navigator.storage?.persist === 'function'
  /** null: not known yet, or the browser cannot tell. */
  const persisted = ref<boolean | null>(null)
  const usage = ref<number | null>(null)
  const quota = ref<number | null>(null)
  const asked = ref(false)
  let stopWatch: WatchStopHandle | null = null

  async function refresh(): Promise<void> {
    if (!isSupported) return
    const { database, readSetting } = await localData()
    asked.value = await readSetting(database(), 'storagePersistAsked')
    persisted.value = await navigator.storage.persisted()
    if (typeof navigator.storage.estimate === 'function') {
      const estimate = await navigator.storage.estimate()
      usage.value = estimate.usage ?? null
      quota.value = estimate.quota ?? null
    }
  }

  /** Ask the browser to keep the data; `force` asks again (a tap in Settings). */
  async function request(force = false): Promise<boolean | null> {
    if (!isSupported) return null
    const { database, readSetting, writeSetting } = await localData()
    if (!force && (await readSetting(database(), 'storagePersistAsked'))) return persisted.value
    try {
      persisted.value = await navigator.storage.persist()
    } finally {
      // Remembered even if the browser refused: asking at every declaration would nag.
      await writeSetting(database(), 'storagePersistAsked', true)
      asked.value = true
    }
    await refresh()
    return persisted.value
  }

  /** Incidents this phone declared: when it grows during a session, the responder just declared one. */
  const ownIncidents = computed(() => {
    const incidents = useIncidentsStore()
    if (!incidents.ready) return null
    const me = useProfileStore().deviceId
    return incidents.list.filter((i) => i.declaredBy.id === me).length
  })

  function start(): void {
    if (stopWatch || !isSupported) return
    void refresh()
    stopWatch = watch(ownIncidents, (count, before) => {
      if (count !== null && before !== null && count > before) void request()
    })
  }

  function stop(): void {
    stopWatch?.()
    stopWatch = null
  }

  return { isSupported, persisted, usage, quota, asked, refresh, request, start, stop }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(usePersistenceStore, import.meta.hot))

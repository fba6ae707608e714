import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed, ref } from 'vue'
import type { Actor } from '../domain/events'
import { LIMITS } from '../domain/events'
import { localData } from '../db/load'

/**
 * Who is using this phone: the name on every event they make, and the
 * device id that is their actor id and their clock's node.
 */
export const useProfileStore = defineStore('profile', () => {
  const name = ref('')
  const deviceId = ref('')
  const loaded = ref(false)
  let loading: Promise<void> | null = null

  const actor = computed<Actor>(() => ({ id: deviceId.value, name: name.value }))
  const hasName = computed(() => name.value.trim().length > 0)

  /** Reads the profile once, creating this phone's device id on first run. Safe to call again. */
  function load(): Promise<void> {
    loading ??= (async () => {
      const { database, loadProfile } = await localData()
      const profile = await loadProfile(database())
      name.value = profile.name
      deviceId.value = profile.deviceId
      loaded.value = true
    })()
    // A failed read may be retried (a later call reads again).
    loading.catch(() => { loading = null })
    return loading
  }

  /** Resolves once the name is stored; returns a reason when the name is not acceptable. */
  async function saveName(next: string): Promise<string | null> {
    const trimmed = next.trim()
    if (!trimmed) return 'Enter your name, so others know who logged what.'
    if (trimmed.length > LIMITS.personName) return `Your name must be at most ${LIMITS.personName} characters.`
    // A first visit shows this form before the profile is read (main.ts): the device id must exist first.
    await load()
    const { database, writeSetting } = await localData()
    await writeSetting(database(), 'profile', { name: trimmed, deviceId: deviceId.value })
    name.value = trimmed
    return null
  }

  return { name, deviceId, loaded, actor, hasName, load, saveName }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useProfileStore, import.meta.hot))

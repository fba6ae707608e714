import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed, ref } from 'vue'
import type { Actor } from '../domain/events'
import { LIMITS } from '../domain/events'
import { database } from '../db/database'
import { loadProfile, writeSetting } from '../db/settings'

/**
 * Who is using this phone: the name on every event they make, and the
 * device id that is their actor id and their clock's node.
 */
export const useProfileStore = defineStore('profile', () => {
  const name = ref('')
  const deviceId = ref('')
  const loaded = ref(false)

  const actor = computed<Actor>(() => ({ id: deviceId.value, name: name.value }))
  const hasName = computed(() => name.value.trim().length > 0)

  async function load(): Promise<void> {
    const profile = await loadProfile(database())
    name.value = profile.name
    deviceId.value = profile.deviceId
    loaded.value = true
  }

  /** Resolves once the name is stored; returns a reason when the name is not acceptable. */
  async function saveName(next: string): Promise<string | null> {
    const trimmed = next.trim()
    if (!trimmed) return 'Enter your name, so others know who logged what.'
    if (trimmed.length > LIMITS.personName) return `Your name must be at most ${LIMITS.personName} characters.`
    await writeSetting(database(), 'profile', { name: trimmed, deviceId: deviceId.value })
    name.value = trimmed
    return null
  }

  return { name, deviceId, loaded, actor, hasName, load, saveName }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useProfileStore, import.meta.hot))

import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed, ref } from 'vue'
import type { Actor } from '../domain/events'
import { LIMITS } from '../domain/vocabulary'
import { localData } from '../db/load'
import { onceUntilFailure } from './once'

/**
 * The profile as of the last start, in localStorage: a returning phone shows
 * its screens without waiting for the database code and the database to open.
 * IndexedDB stays the source of truth (load() corrects this copy).
 */
const CACHE_KEY = 'command-post:profile'

function readCache(): { name: string; deviceId: string } | null {
  try {
    const parsed: unknown = JSON.parse(globalThis.localStorage?.getItem(CACHE_KEY) ?? 'null')
    if (
      parsed &&
      typeof parsed === 'object' &&
      'name' in parsed &&
      'deviceId' in parsed &&
      typeof parsed.name === 'string' &&
      typeof parsed.deviceId === 'string'
    ) {
      return { name: parsed.name, deviceId: parsed.deviceId }
    }
  } catch {
    // Blocked storage or a damaged copy: read the database instead.
  }
  return null
}

function writeCache(name: string, deviceId: string): void {
  try {
    globalThis.localStorage?.setItem(CACHE_KEY, JSON.stringify({ name, deviceId }))
  } catch {
    // Only a shortcut for the next start.
  }
}

/**
 * Who is using this phone: the name on every event they make, and the
 * device id that is their actor id and their clock's node.
 */
export const useProfileStore = defineStore('profile', () => {
  const name = ref('')
  const deviceId = ref('')
  /** Read from the database (not just from the start-up copy). */
  const loaded = ref(false)

  const actor = computed<Actor>(() => ({ id: deviceId.value, name: name.value }))
  const hasName = computed(() => name.value.trim().length > 0)
  /** A name to offer in the name field, from a join link issued for this person (never saved by itself). */
  const suggestedName = ref('')

  /** A join link named the person its token is for: offer that name, on a phone that has none yet. */
  function suggestName(suggestion: string | null): void {
    if (suggestion && !hasName.value) suggestedName.value = suggestion
  }

  /** The profile as of the last start, if this phone has one with a name; true when found. */
  function restoreFromLastStart(): boolean {
    const cached = readCache()
    if (!cached?.name || !cached.deviceId) return false
    name.value = cached.name
    deviceId.value = cached.deviceId
    return true
  }

  async function read(): Promise<void> {
    const { database, loadProfile } = await localData()
    const profile = await loadProfile(database())
    name.value = profile.name
    deviceId.value = profile.deviceId
    loaded.value = true
    writeCache(profile.name, profile.deviceId)
  }

  /** Reads the profile once, creating this phone's device id on first run. Safe to call again. */
  const load = onceUntilFailure(read)

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
    writeCache(trimmed, deviceId.value)
    return null
  }

  return {
    name,
    deviceId,
    loaded,
    actor,
    hasName,
    suggestedName,
    restoreFromLastStart,
    load,
    saveName,
    suggestName,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useProfileStore, import.meta.hot))

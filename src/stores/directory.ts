import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed } from 'vue'
import { DIRECTORY_ID, foldDirectory, listed, type Audience, type Contact } from '../domain/directory'
import { useIncidentsStore } from './incidents'

/**
 * The directory on this phone: audiences and contacts, folded from the events
 * of the reserved incident id `directory` that the incidents store holds (so
 * they sync, and are offline, exactly like incidents). Folded once per change,
 * shared by every screen that reads it.
 */
export const useDirectoryStore = defineStore('directory', () => {
  const incidents = useIncidentsStore()
  const state = computed(() => foldDirectory(incidents.heldEvents(DIRECTORY_ID)))
  /** Audiences not removed, by name. */
  const audiences = computed<Audience[]>(() => listed(state.value.audiences.values()))
  /** Contacts not removed, by name. */
  const contacts = computed<Contact[]>(() => listed(state.value.contacts.values()))
  /** Removed audiences and contacts, by name: kept in the history, and brought back from there. */
  const removedAudiences = computed<Audience[]>(() => listed(state.value.audiences.values(), true))
  const removedContacts = computed<Contact[]>(() => listed(state.value.contacts.values(), true))

  /** An audience by id, removed or not; undefined when this phone has never seen it. */
  function audience(id: string): Audience | undefined {
    return state.value.audiences.get(id)
  }

  /** A contact by id, removed or not. */
  function contact(id: string): Contact | undefined {
    return state.value.contacts.get(id)
  }

  /** The audience (not removed) with this name, compared without case, or undefined. */
  function audienceNamed(name: string): Audience | undefined {
    const key = name.trim().toLocaleLowerCase()
    return key ? audiences.value.find((a) => a.name.toLocaleLowerCase() === key) : undefined
  }

  return { audiences, contacts, removedAudiences, removedContacts, audience, contact, audienceNamed }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useDirectoryStore, import.meta.hot))

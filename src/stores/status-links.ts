import { defineStore, acceptHMRUpdate } from 'pinia'
import type { FetchLike } from '../sync/api'
import { createStatusLink, listStatusLinks, revokeStatusLink, type StatusLinkInfo } from '../sync/status-links-api'
import { useSyncStore } from './sync'

export type { StatusLinkInfo }

/**
 * Status links of an incident: read-only pages for stakeholders, made and
 * withdrawn on the team's server (they need it: the page is served from
 * there). Commands only; the Updates tab keeps what it shows. Each rejects
 * with a ServerCallError whose message can be shown as it is.
 */
export const useStatusLinksStore = defineStore('status-links', () => {
  let fetchFn: FetchLike = (input, init) => fetch(input, init)

  /** Tests: replace fetch. */
  function useFetch(f: FetchLike): void {
    fetchFn = f
  }

  function settings() {
    const sync = useSyncStore()
    return { serverUrl: sync.serverUrl, token: sync.token }
  }

  return {
    useFetch,
    list: (incidentId: string) => listStatusLinks(settings(), fetchFn, incidentId),
    /**
     * Sends what this phone wrote first: the server makes a link only for an
     * incident it holds, and a responder makes one right after declaring.
     */
    create: async (incidentId: string) => {
      // A sync round, not a look at `pending`: its count follows a write a moment later.
      await useSyncStore().syncNow()
      return createStatusLink(settings(), fetchFn, incidentId)
    },
    revoke: (id: number) => revokeStatusLink(settings(), fetchFn, id),
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useStatusLinksStore, import.meta.hot))

/**
 * The status link routes (docs/CONTRACT-EXTENSIONS.md, "Status page") as
 * typed calls for the incident's Updates tab.
 */
import {
  StatusLinkCreatedSchema,
  StatusLinkListSchema,
  StatusLinkRevokedSchema,
  type StatusLinkInfo,
} from '../domain/status-wire'
import type { SyncSettings } from '../db/settings'
import type { FetchLike } from './api'
import { callServer } from './server-call'

export type { StatusLinkInfo }

/** Every link made for the incident, newest first (withdrawn ones too; never their tokens). */
export async function listStatusLinks(
  settings: SyncSettings,
  fetchFn: FetchLike,
  incidentId: string,
): Promise<StatusLinkInfo[]> {
  const path = `status-links?incidentId=${encodeURIComponent(incidentId)}`
  return (await callServer(settings, fetchFn, path, StatusLinkListSchema)).links
}

/** A new link: the whole URL (shown this once; the server keeps only its hash) and its entry. */
export async function createStatusLink(
  settings: SyncSettings,
  fetchFn: FetchLike,
  incidentId: string,
): Promise<{ link: string; info: StatusLinkInfo }> {
  return callServer(settings, fetchFn, 'status-links', StatusLinkCreatedSchema, { incidentId })
}

/** Withdraws a link; resolves to false when it already was. */
export async function revokeStatusLink(settings: SyncSettings, fetchFn: FetchLike, id: number): Promise<boolean> {
  return (await callServer(settings, fetchFn, 'status-links/revoke', StatusLinkRevokedSchema, { id })).revoked
}

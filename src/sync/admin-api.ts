/**
 * The admin routes (docs/CONTRACT-EXTENSIONS.md, "GET /api/me … Admin routes") as
 * typed calls, for Settings → Team. Failures are SyncErrors, as the sync API's:
 * a non-admin token is `auth` (403 forbidden), an unknown name `server` 404 with
 * the server's message. Answers are parsed with the server's own wire schemas.
 */
import * as v from 'valibot'
import {
  AdminAuditAnswerSchema,
  AdminChangedAnswerSchema,
  AdminIssueAnswerSchema,
  AdminTokensAnswerSchema,
  MeAnswerSchema,
  type AdminIssueAnswer,
  type AdminTokensAnswer,
  type MeAnswer,
} from '../domain/wire'
import type { SyncSettings } from '../db/settings'
import { createApiCaller, type FetchLike } from './api'

/** One token as the admin sees it (never its value), with the devices seen sending through it. */
export type AdminToken = AdminTokensAnswer['tokens'][number]
/** One recorded admin action, newest first in the list. */
export type AdminAuditEntry = v.InferOutput<typeof AdminAuditAnswerSchema>['actions'][number]
export type { AdminIssueAnswer, MeAnswer }

/** What a new token may do. */
export interface IssueGrants {
  readOnly?: boolean
  admin?: boolean
}

export interface AdminApi {
  /** `GET /api/me`: the token's name and grants; any token may ask. */
  me(): Promise<MeAnswer>
  /** Every token ever issued, revoked ones too. */
  tokens(): Promise<AdminToken[]>
  /** Issue a token for `name`: the answer holds the token (shown once) and its join link. */
  issue(name: string, grants: IssueGrants): Promise<AdminIssueAnswer>
  /** Make every active token of `name` read-only, or writable again; resolves to how many changed. */
  setReadOnly(name: string, readOnly: boolean): Promise<number>
  /** Revoke every active token of `name`; with `wipe` its phones delete their data at their next contact. */
  revoke(name: string, wipe: boolean): Promise<number>
  /** The latest admin actions (at most 200), newest first. */
  audit(): Promise<AdminAuditEntry[]>
}

/** The admin calls for one server and token. */
export function createAdminApi(settings: SyncSettings, fetchFn: FetchLike): AdminApi {
  const { call, answer } = createApiCaller(settings, fetchFn)
  const get = async <S extends v.GenericSchema>(path: string, schema: S) =>
    answer(await call(path, { method: 'GET' }), schema)
  const post = async <S extends v.GenericSchema>(path: string, body: unknown, schema: S) =>
    answer(
      await call(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
      schema,
    )

  return {
    me: () => get('me', MeAnswerSchema),
    tokens: async () => (await get('admin/tokens', AdminTokensAnswerSchema)).tokens,
    issue: (name, grants) => post('admin/tokens', { name, ...grants }, AdminIssueAnswerSchema),
    setReadOnly: async (name, readOnly) =>
      (await post('admin/tokens/read-only', { name, readOnly }, AdminChangedAnswerSchema)).changed,
    revoke: async (name, wipe) => (await post('admin/tokens/revoke', { name, wipe }, AdminChangedAnswerSchema)).changed,
    audit: async () => (await get('admin/audit', AdminAuditAnswerSchema)).actions,
  }
}

/**
 * One authenticated call to the team's server outside the sync round (push
 * subscriptions, status links): the saved server and token, the answer parsed
 * with its wire schema, every failure a `ServerCallError` with words a person
 * can read (the server's own message when it sent one).
 */
import * as v from 'valibot'
import { describeIssue } from '../domain/events'
import { ErrorMessageSchema } from '../domain/wire'
import type { SyncSettings } from '../db/settings'
import { apiUrl, type FetchLike } from './api'

export class ServerCallError extends Error {
  constructor(
    message: string,
    /** 0: the server was not reached. */
    readonly status: number,
    readonly code?: string,
  ) {
    super(message)
    this.name = 'ServerCallError'
  }
}

/** `path` under /api (no leading slash); `body` is sent as JSON with POST, else GET. */
export async function callServer<S extends v.GenericSchema>(
  settings: SyncSettings,
  fetchFn: FetchLike,
  path: string,
  schema: S,
  body?: unknown,
): Promise<v.InferOutput<S>> {
  let response: Response
  try {
    response = await fetchFn(apiUrl(settings.serverUrl, path), {
      method: body === undefined ? 'GET' : 'POST',
      cache: 'no-store',
      headers: {
        authorization: `Bearer ${settings.token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    })
  } catch {
    throw new ServerCallError('The server could not be reached. Try again when this phone is online.', 0)
  }
  let json: unknown = null
  try {
    json = await response.json()
  } catch {
    // Not JSON: a proxy's page. Said below.
  }
  if (!response.ok) {
    const error = v.safeParse(ErrorMessageSchema, json)
    const message = error.success ? error.output.error.message : `The server answered ${response.status}.`
    throw new ServerCallError(message, response.status, error.success ? error.output.error.code : undefined)
  }
  const parsed = v.safeParse(schema, json)
  if (!parsed.success)
    throw new ServerCallError(`Unexpected answer from the server: ${describeIssue(parsed.issues[0])}`, response.status)
  return parsed.output
}

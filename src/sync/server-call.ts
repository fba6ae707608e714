/**
 * One authenticated call to the team's server outside the sync round (push
 * subscriptions, status links): the saved server and token, the answer parsed
 * with its wire schema, every failure a `ServerCallError` with words a person
 * can read (the server's own message when it sent one).
 */
import * as v from 'valibot'
import type { SyncSettings } from '../db/settings'
import type { FetchLike } from './api'

/** A server call that failed: `message` is for people (the server's own words when it sent some). */
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

/**
 * The message and code of an error answer (ErrorMessageSchema's shape, src/domain/wire.ts),
 * read by hand: importing the wire module would split it out of the sync engine's chunk.
 */
function errorOf(json: unknown): { message?: string; code?: string } {
  const error = (json as { error?: { message?: unknown; code?: unknown } } | null)?.error
  return {
    message: typeof error?.message === 'string' ? error.message : undefined,
    code: typeof error?.code === 'string' ? error.code : undefined,
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
    // As api.ts's apiUrl; not imported from there, so the sync engine's chunk stays whole.
    response = await fetchFn(`${settings.serverUrl.replace(/\/+$/, '')}/api/${path}`, {
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
    const { message, code } = errorOf(json)
    throw new ServerCallError(message ?? `The server answered ${response.status}.`, response.status, code)
  }
  const parsed = v.safeParse(schema, json)
  if (!parsed.success)
    throw new ServerCallError(`Unexpected answer from the server: ${parsed.issues[0].message}`, response.status)
  return parsed.output
}

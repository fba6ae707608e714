/**
 * Join links: `<origin>/#/join?token=<token>`. The token rides in the URL
 * fragment, which browsers never send to a server, so it stays out of logs.
 * The server is the link's origin; '' when that is the app's own origin.
 */
import type { Validation } from '../domain/events'
// From the vocabulary, not events.ts: the join link is read on the first screen, which must not load valibot.
import { hasVisibleText, LIMITS } from '../domain/vocabulary'

export interface JoinTarget {
  /** '' = the app's own origin. */
  serverUrl: string
  token: string
  /** The person the token was issued for (`&name=`), when the link says. */
  name?: string
}

/** Tokens are opaque to the app; this only keeps out what cannot be one. */
const TOKEN = /^[A-Za-z0-9._~+/=-]{16,512}$/

const PASTE_HELP = 'Paste the whole join link, for example https://server/#/join?token=…'

/** The token in a fragment such as `#/join?token=abc`, or null. */
export function tokenFromFragment(hash: string): string | null {
  const match = /^#\/join\?(.*)$/.exec(hash)
  if (!match) return null
  const token = new URLSearchParams(match[1]).get('token')?.trim() ?? ''
  return TOKEN.test(token) ? token : null
}

/**
 * The person's name in a join link fragment (`#/join?token=…&name=Dana`), or
 * null when absent, blank or too long: a suggestion for a phone with no name yet.
 */
export function nameFromFragment(hash: string): string | null {
  const match = /^#\/join\?(.*)$/.exec(hash)
  if (!match) return null
  const name = new URLSearchParams(match[1]).get('name')?.trim().normalize('NFC') ?? ''
  return name.length <= LIMITS.personName && hasVisibleText(name) ? name : null
}

/** A server address as typed in Settings: '' (this app's origin) or an http(s) origin plus optional path. */
export function normalizeServerUrl(input: string, appOrigin: string): Validation<string> {
  const trimmed = input.trim()
  if (trimmed === '') return { ok: true, value: '' }
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return {
      ok: false,
      reason: 'Enter an address starting with https:// (or leave it empty for this app’s own server).',
    }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, reason: 'The address must start with https:// or http://.' }
  if (url.username || url.password)
    return { ok: false, reason: 'Put the access token in its own field, not in the address.' }
  const value = `${url.origin}${url.pathname.replace(/\/+$/, '')}`
  return { ok: true, value: value === appOrigin ? '' : value }
}

/** A pasted or scanned join link (or a bare token, for this app's own server). */
export function parseJoinLink(text: string, appOrigin: string): Validation<JoinTarget> {
  const trimmed = text.trim()
  if (!trimmed) return { ok: false, reason: PASTE_HELP }
  if (TOKEN.test(trimmed) && !trimmed.includes('/')) return { ok: true, value: { serverUrl: '', token: trimmed } }
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return { ok: false, reason: PASTE_HELP }
  }
  const token = tokenFromFragment(url.hash)
  if (!token) return { ok: false, reason: 'That link has no access token in it. Ask for a new join link.' }
  const server = normalizeServerUrl(`${url.origin}${url.pathname}`, appOrigin)
  if (!server.ok) return server
  const name = nameFromFragment(url.hash)
  return { ok: true, value: { serverUrl: server.value, token, ...(name !== null && { name }) } }
}

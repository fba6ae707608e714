/**
 * One update as an email: a plain-text part and a simple HTML part. Every text
 * that came from a phone (title, body, names, audience) is escaped in the HTML
 * and kept out of headers except the subject, where nodemailer encodes it
 * (a newline in a title cannot start a header: titles are one line after
 * NFC, and nodemailer folds and encodes the subject anyway).
 */
import type { EventOf } from '../../src/domain/events'
import { SEVERITY_LABELS } from '../../src/domain/describe'

/** The incident as the email names it; null when the server has not received its declaration. */
export interface MailIncident {
  id: string
  title: string
  severity: number
  status: string
}

export interface ComposeInput {
  update: EventOf<'update.posted'>
  incident: MailIncident | null
  audience: string
  recipient: { email: string; name?: string }
  /** A link to the incident's status page, when the server has one (issue #15 item 3). */
  statusUrl?: string
  /** IANA zone the update's time is written in (MAIL_TIME_ZONE; default UTC). */
  timeZone: string
}

export interface ComposedMail {
  subject: string
  text: string
  html: string
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Text made safe for HTML element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
}

/** `2026-11-24 08:30 UTC`: the day, the time and the zone, as every time shown must carry them. */
export function formatMailTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(iso))
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${get('timeZoneName')}`
}

/** Only http(s) links go into a message; anything else is left out. */
function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    const u = new URL(url)
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined
  } catch {
    return undefined
  }
}

/** The subject, text and HTML of one update for one recipient. */
export function composeUpdateMail(input: ComposeInput): ComposedMail {
  const { update, incident, audience, recipient } = input
  const title = incident?.title ?? 'Incident update'
  const severity = incident ? (SEVERITY_LABELS[incident.severity] ?? `SEV${incident.severity}`) : ''
  const status = incident?.status ?? ''
  const when = formatMailTime(update.at, input.timeZone)
  const link = safeUrl(input.statusUrl)
  const subject = `Update: ${title}${incident ? ` (SEV${incident.severity}, ${status})` : ''}`.replace(/[\r\n]+/g, ' ')

  const facts = [incident ? `${severity} · ${status}` : '', `Posted ${when} by ${update.actor.name}`].filter(Boolean)
  const greeting = recipient.name ? `${recipient.name},` : ''
  const why = `You receive this because you are on the list "${audience}".`
  const text = [
    greeting,
    update.payload.body,
    '',
    `— ${title}`,
    ...facts,
    ...(link ? [`Status page: ${link}`] : []),
    '',
    why,
  ]
    .filter((line, i) => i > 0 || line)
    .join('\n')

  const p = (s: string) => `<p style="margin:0 0 12px">${escapeHtml(s)}</p>`
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;color:#111">',
    greeting ? p(greeting) : '',
    `<div style="white-space:pre-wrap;margin:0 0 16px">${escapeHtml(update.payload.body)}</div>`,
    `<p style="margin:0 0 4px"><strong>${escapeHtml(title)}</strong></p>`,
    ...facts.map((f) => `<p style="margin:0 0 4px;color:#444">${escapeHtml(f)}</p>`),
    link ? `<p style="margin:12px 0"><a href="${escapeHtml(link)}">Status page</a></p>` : '',
    `<p style="margin:16px 0 0;color:#666;font-size:13px">${escapeHtml(why)}</p>`,
    '</body></html>',
  ].join('')
  return { subject, text, html }
}

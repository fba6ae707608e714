/**
 * The SMTP side of the mailer: nodemailer behind a small interface, and what
 * an error from it means for "at most once": whether the message may have been
 * delivered.
 */
import nodemailer from 'nodemailer'

/** One message for one recipient. */
export interface OutgoingMail {
  from: string
  to: string
  subject: string
  text: string
  html: string
  /** The same for a given update and recipient, so a mail client can tell copies apart. */
  messageId: string
}

export interface MailTransport {
  /** Resolves with the SMTP server's answer to the message (`250 OK: queued as …`). */
  send(mail: OutgoingMail): Promise<string>
  close(): void
}

/** Timeouts of one SMTP conversation, ms. */
export interface SmtpTimeouts {
  timeoutMs: number
}

/** A pooled nodemailer transport on `SMTP_URL` (`smtp://user:pass@relay:587`, `smtps://…:465`). */
export function smtpTransport(url: string, { timeoutMs }: SmtpTimeouts): MailTransport {
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 1,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    // Longer than the greeting's: a silent server must end in GREETING_TIMEOUT (nothing handed over, retried),
    // not in a socket timeout, which cannot tell whether a message was handed over.
    socketTimeout: timeoutMs * 2,
  })
  return {
    async send(mail) {
      const info = (await transport.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        // One recipient per message: an address refused is an error, not a partial success.
        disableFileAccess: true,
        disableUrlAccess: true,
      })) as { response?: string; rejected?: unknown[] }
      if (info.rejected && info.rejected.length)
        throw Object.assign(new Error(info.response ?? 'recipient refused'), { responseCode: 550 })
      return info.response ?? '250 accepted'
    },
    close() {
      transport.close()
    },
  }
}

/**
 * What an SMTP error means:
 * - `failed`: the server answered with a permanent refusal (5xx): not delivered, not retried;
 * - `unreached`: nothing was handed over (no connection, no greeting, login refused,
 *   or a temporary 4xx answer): safe to try again later;
 * - `unknown`: the conversation broke after the message may have been handed over:
 *   it may have been delivered, so it is never sent again.
 */
export type SendErrorKind = 'failed' | 'unreached' | 'unknown'

const UNREACHED_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT'])
const UNREACHED_CODES = new Set(['EAUTH', 'EDNS', 'ETLS', 'ENOAUTH'])
const NETWORK_REFUSALS = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET before/

/** Classifies an error thrown by MailTransport.send (nodemailer's fields: responseCode, code, timeoutType). */
export function classifySendError(err: unknown): SendErrorKind {
  const e = (err ?? {}) as { responseCode?: unknown; code?: unknown; timeoutType?: unknown; message?: unknown }
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 ? 'failed' : 'unreached'
  if (typeof e.timeoutType === 'string' && UNREACHED_TIMEOUTS.has(e.timeoutType)) return 'unreached'
  if (typeof e.code === 'string' && UNREACHED_CODES.has(e.code)) return 'unreached'
  if (e.code === 'EENVELOPE') return 'failed'
  const message = typeof e.message === 'string' ? e.message : ''
  const code = typeof e.code === 'string' ? e.code : ''
  if (NETWORK_REFUSALS.test(message) || NETWORK_REFUSALS.test(code)) return 'unreached'
  return 'unknown'
}

/** An error as one line for the report: the SMTP answer when there is one. */
export function describeSendError(err: unknown): string {
  const e = (err ?? {}) as { response?: unknown; message?: unknown; code?: unknown }
  const text = typeof e.response === 'string' && e.response ? e.response : String(e.message ?? e.code ?? err)
  return text.replace(/\s+/g, ' ').trim().slice(0, 500)
}

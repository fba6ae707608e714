/**
 * Post to SMTP: an update posted to an audience (POST /api/events on a real
 * server on 127.0.0.1, SQLite in a temporary folder with synchronous=FULL)
 * until the SMTP server (smtp-server in this process, on 127.0.0.1) has
 * accepted the message, with nodemailer between them as in production and the
 * mailer woken by the push as in production (no poll involved: MAIL_POLL_MS is
 * an hour). The send rate is set high so it does not pace the figure.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import { buildApp } from '../../server/app'
import { TokenService } from '../../server/auth/tokens'
import { DEFAULT_MAIL_SETTINGS } from '../../server/mail/mailer'
import { openSqliteStore } from '../../server/store/sqlite'
import { makeEvent } from '../../tests/fixtures/events'
import { percentile, round } from '../lib/stats'

export interface EmailFigures {
  /** Post → SMTP accepted, one recipient: median and p95 (ms). */
  email_post_to_smtp_p50_ms: number
  email_post_to_smtp_p95_ms: number
  /** Post → the last of 50 recipients accepted (ms), one run. */
  email_post_to_smtp_50_ms: number
  runs: number
}

/** Runs `runs` single-recipient updates one after another, then one 50-recipient update. */
export async function emailFigures(runs = 30): Promise<EmailFigures> {
  const accepted = new Map<string, () => void>()
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      // Read now: the session's envelope is reset once the message is answered.
      const to = session.envelope.rcptTo.map((r) => r.address)
      stream.on('data', () => {})
      stream.on('end', () => {
        callback(null, 'Queued')
        // After the answer is written: "accepted" as the relay says it.
        setImmediate(() => {
          for (const address of to) accepted.get(address)?.()
        })
      })
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()))
  const port = (smtp.server.address() as AddressInfo).port
  const dir = mkdtempSync(join(tmpdir(), 'cp-bench-email-'))
  const store = openSqliteStore(dir)
  const tokens = new TokenService(store)
  const { token } = await tokens.issue('bench email')
  const app = await buildApp({
    store,
    tokens,
    version: 'bench',
    mail: {
      settings: {
        ...DEFAULT_MAIL_SETTINGS,
        smtpUrl: `smtp://127.0.0.1:${port}`,
        from: 'Bench <bench@command-post.example>',
        perMinute: 100_000,
        batchSize: 100,
        pollMs: 3_600_000,
      },
    },
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/events`
  const post = async (events: unknown[]) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    })
    if (!res.ok) throw new Error(`push answered ${res.status}`)
  }
  try {
    const incidentId = 'INCBENCH000000000000000001'
    await post([makeEvent('incident.declared', { title: 'Bench incident', severity: 2 }, { incidentId })])
    const samples: number[] = []
    for (let i = 0; i < runs + 2; i++) {
      const email = `r${i}@bench.example`
      const audienceId = `AUDBENCH${String(i).padStart(18, '0')}`
      await post([makeEvent('audience.saved', { audienceId, name: `Bench ${i}`, members: [{ email }] })])
      const done = new Promise<void>((resolve) => accepted.set(email, resolve))
      const update = makeEvent('update.posted', { body: `Bench update ${i}`, audienceId }, { incidentId })
      const t = performance.now()
      await post([update])
      await done
      if (i >= 2) samples.push(performance.now() - t) // two warm-ups: the pooled connection opens on the first
    }
    const many = Array.from({ length: 50 }, (_, i) => ({ email: `m${i}@bench.example` }))
    await post([makeEvent('audience.saved', { audienceId: 'AUDBENCHMANY0000000000001', name: 'Many', members: many })])
    const all = Promise.all(many.map((m) => new Promise<void>((resolve) => accepted.set(m.email, resolve))))
    const t = performance.now()
    await post([makeEvent('update.posted', { body: 'To 50', audienceId: 'AUDBENCHMANY0000000000001' }, { incidentId })])
    await all
    const fifty = performance.now() - t
    return {
      email_post_to_smtp_p50_ms: round(percentile(samples, 50), 1),
      email_post_to_smtp_p95_ms: round(percentile(samples, 95), 1),
      email_post_to_smtp_50_ms: round(fifty, 1),
      runs: samples.length,
    }
  } finally {
    await app.close()
    await store.close()
    await new Promise<void>((resolve) => smtp.close(() => resolve()))
    rmSync(dir, { recursive: true, force: true })
  }
}

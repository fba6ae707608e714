/**
 * The push job: turns what the projection sees into notices and sends each
 * one once, to every device of the people concerned.
 *
 * - Events (a role or task given to someone, a SEV1/SEV2 declared) as they
 *   arrive while the server runs.
 * - Update-due reminders at the due moment: a timer set for the earliest one,
 *   moved whenever an incident changes (posting an update moves its moment, so
 *   the reminder for the old one never goes).
 *
 * Each notice is claimed in the database (`claimPushNotice`) before it is
 * sent, so with several nodes on one database exactly one sends it, and a
 * restart never sends it again. A crash after the claim loses that notice:
 * at most once, never twice.
 */
import { sameName, samePerson, type PersonRef } from '../../src/domain/people'
import { dueNotice, noticeReaches, noticesForEvent, type PushNotice } from '../../src/domain/push'
import type { IncidentChange, IncidentProjection } from '../incidents/projection'
import type { PushStore, PushSubscriptionRecord } from '../store/types'
import type { SendOutcome } from './sender'

/** What the notifier needs of the sender: one message to one subscription. */
export interface PushTransport {
  send(sub: PushSubscriptionRecord, message: PushNotice['message']): Promise<SendOutcome>
}

/** A notice that went out: what, to how many, and (reminders) how long after its due moment. */
export interface DeliveryReport {
  key: string
  topic: PushNotice['topic']
  /** Devices the push service took it for. */
  sent: number
  /** Subscriptions forgotten because their push service answered 404/410. */
  gone: number
  failed: { endpoint: string; reason: string }[]
  /** Reminders: ms from the due moment to the last device's send finishing. */
  lateMs?: number
}

/** Minimal logger (pino's shape) so the server's own logger can be passed. */
export interface NotifierLog {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

export interface NotifierOptions {
  store: PushStore
  projection: IncidentProjection
  transport: PushTransport
  /** The server's clock (ms). */
  now?: () => number
  /** A due moment further past than this is not rung for (ms). Default 1 hour. */
  staleMs?: number
  /** How often claims older than a week are forgotten and revoked tokens' subscriptions deleted (ms). Default 1 hour. */
  housekeepingMs?: number
  log?: NotifierLog
  /** Told after each notice was sent (tests, measurements). */
  onDelivered?: (report: DeliveryReport) => void
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000
/** The longest a due timer sleeps before looking again (a clock change, or a moment the views missed). */
const MAX_SLEEP_MS = 60 * 60 * 1000

/** A notice to deliver; reminders carry their due moment (ms), to report how late they went. */
interface Due {
  notice: PushNotice
  dueMs?: number
}

const silent: NotifierLog = { info() {}, warn() {} }

/** The push job (see the file's comment); one per server process. */
export class PushNotifier {
  private readonly now: () => number
  private readonly staleMs: number
  private readonly log: NotifierLog
  private dueTimer: ReturnType<typeof setTimeout> | undefined
  private housekeeping: ReturnType<typeof setInterval> | undefined
  /** Due keys this node already claimed or saw claimed: not asked of the database again. */
  private readonly handled = new Map<string, number>()
  private readonly pending = new Set<Promise<void>>()
  private unsubscribe: (() => void) | undefined
  private stopped = false

  constructor(private readonly options: NotifierOptions) {
    this.now = options.now ?? Date.now
    this.staleMs = options.staleMs ?? 60 * 60 * 1000
    this.log = options.log ?? silent
  }

  /** Listen to the projection (start it after this, so the first catch-up sets the first timer). */
  start(): void {
    this.stopped = false
    this.unsubscribe = this.options.projection.onChange((changes, live) => this.changed(changes, live))
    const every = this.options.housekeepingMs ?? 60 * 60 * 1000
    if (every > 0) {
      this.housekeeping = setInterval(() => void this.tidy(), every)
      this.housekeeping.unref()
    }
    this.schedule()
  }

  /** Stops the timers; sends under way finish (await `idle()`). */
  stop(): void {
    this.stopped = true
    this.unsubscribe?.()
    clearTimeout(this.dueTimer)
    clearInterval(this.housekeeping)
  }

  /** Resolves when no send started so far is still under way. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending])
  }

  /** Forget claims older than a week and the subscriptions of revoked tokens. */
  async tidy(): Promise<void> {
    const { store } = this.options
    try {
      await store.forgetPushClaims(new Date(this.now() - WEEK_MS).toISOString())
      const gone = await store.deletePushSubscriptionsOfRevokedTokens()
      if (gone) this.log.info({ gone }, 'push subscriptions of revoked tokens deleted')
    } catch (err) {
      this.log.warn({ err }, 'push housekeeping failed')
    }
    const cutoff = this.now() - this.staleMs - WEEK_MS
    for (const [key, dueMs] of this.handled) if (dueMs < cutoff) this.handled.delete(key)
  }

  private changed(changes: IncidentChange[], live: boolean): void {
    if (live) {
      const notices = changes.flatMap(({ state, added }) => added.flatMap((event) => noticesForEvent(event, state)))
      if (notices.length) this.track(this.deliverAll(notices.map((notice) => ({ notice }))))
    }
    this.schedule()
  }

  /** Sends what is due now, then sleeps until the next due moment. */
  private schedule(): void {
    if (this.stopped) return
    clearTimeout(this.dueTimer)
    const now = this.now()
    let next = Infinity
    const due: Due[] = []
    for (const view of this.options.projection.reminderViews()) {
      const notice = dueNotice(view, now, this.staleMs)
      if (notice && !this.handled.has(notice.key)) {
        this.handled.set(notice.key, view.dueMs!)
        due.push({ notice, dueMs: view.dueMs! })
      } else if (view.dueMs !== null && view.dueMs > now) next = Math.min(next, view.dueMs)
    }
    if (due.length) this.track(this.deliverAll(due))
    const sleep = Math.min(Math.max(next - now, 0), MAX_SLEEP_MS)
    this.dueTimer = setTimeout(() => this.schedule(), sleep)
    this.dueTimer.unref()
  }

  private track(p: Promise<void>): void {
    this.pending.add(p)
    void p.finally(() => this.pending.delete(p))
  }

  /**
   * Whether the subscriber is a person: the people rule on the phone's own
   * actor; or the phone goes by the person's name and the person's device sent
   * events through the subscription's token (their laptop hears what their
   * phone was given). Both, so a token several people share reaches no one
   * by another's name.
   */
  private is(sub: PushSubscriptionRecord): (person: PersonRef) => boolean {
    const { projection } = this.options
    return (person) =>
      samePerson(person, sub.person) ||
      (person.id !== undefined &&
        sameName(person.name, sub.person.name) &&
        projection.tokensOf(person.id).has(sub.tokenId))
  }

  /**
   * Each notice to the subscriptions it reaches (deliver), the subscriptions read once for all of them:
   * a push of 500 events makes tens of notices, and one read each was most of the database's work for
   * that push.
   */
  private async deliverAll(due: readonly Due[]): Promise<void> {
    let subscriptions: PushSubscriptionRecord[]
    try {
      subscriptions = await this.options.store.listPushSubscriptions()
    } catch (err) {
      this.log.warn({ err, keys: due.map((d) => d.notice.key) }, 'push notice failed')
      return
    }
    await Promise.all(due.map(({ notice, dueMs }) => this.deliver(notice, subscriptions, dueMs)))
  }

  /**
   * Claim, then send to every subscription the notice reaches; forget subscriptions that are gone.
   * A notice no subscription reaches is neither claimed nor sent: the claim is a durable write (an
   * fsync on SQLite), and a push of 500 events assigning tasks to people with no phone subscribed
   * must not cost 500 of them. Another node deciding the same finds the same subscriptions.
   */
  private async deliver(
    notice: PushNotice,
    subscriptions: readonly PushSubscriptionRecord[],
    dueMs?: number,
  ): Promise<void> {
    const { store, transport } = this.options
    try {
      const subs = subscriptions.filter((sub) => noticeReaches(notice, this.is(sub), sub.topics))
      if (!subs.length) return
      if (!(await store.claimPushNotice(notice.key, new Date(this.now()).toISOString()))) return
      const report: DeliveryReport = { key: notice.key, topic: notice.topic, sent: 0, gone: 0, failed: [] }
      await Promise.all(
        subs.map(async (sub) => {
          const outcome = await transport.send(sub, notice.message)
          if (outcome.kind === 'sent') report.sent++
          else if (outcome.kind === 'gone') {
            report.gone++
            await store.deletePushSubscription(sub.endpoint)
          } else report.failed.push({ endpoint: new URL(sub.endpoint).host, reason: outcome.reason })
        }),
      )
      if (dueMs !== undefined) report.lateMs = this.now() - dueMs
      // The key names the incident and the event or moment; never the title or a token.
      this.log.info(
        { key: report.key, sent: report.sent, gone: report.gone, failed: report.failed, lateMs: report.lateMs },
        'push notice sent',
      )
      this.options.onDelivered?.(report)
    } catch (err) {
      this.log.warn({ err, key: notice.key }, 'push notice failed')
    }
  }
}

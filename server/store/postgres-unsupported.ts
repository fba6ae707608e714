/**
 * What the PostgreSQL store does not hold yet: push subscriptions and notices,
 * status links and the email outbox (issue #15's tables, written for SQLite in
 * migrations 6 and 7 while the PostgreSQL store was written in parallel).
 * A server on DATABASE_URL does not start those features (server/main.ts), so
 * these are never reached there; if one is, it rejects with an error naming
 * the feature rather than pretending to have stored anything.
 */
import type { IncidentReader, MailStore, PushStore, StatusLinkStore } from './types'

/** The features of issue #15 a PostgreSQL server does not offer yet (README, Running more than one server). */
export const NOT_ON_POSTGRES_YET = 'push notifications, status links and email to audiences'

/** Rejects: `feature` is not stored on PostgreSQL yet. */
function notYet(feature: string): Promise<never> {
  return Promise.reject(
    new Error(`${feature} is not available with DATABASE_URL (PostgreSQL) yet: use the SQLite store`),
  )
}

type Unsupported = IncidentReader & PushStore & StatusLinkStore & MailStore

/** The base of PostgresStore for those features: every method rejects (see the module comment). */
export class PostgresUnsupported implements Unsupported {
  readIncidentEvents = () => notYet('reading one incident (status pages, notices)')
  ensureVapidKeys = () => notYet('Web Push')
  savePushSubscription = () => notYet('Web Push')
  deletePushSubscription = () => notYet('Web Push')
  listPushSubscriptions = () => notYet('Web Push')
  deletePushSubscriptionsOfRevokedTokens = () => notYet('Web Push')
  claimPushNotice = () => notYet('Web Push')
  forgetPushClaims = () => notYet('Web Push')
  insertStatusLink = () => notYet('status links')
  findStatusLink = () => notYet('status links')
  statusLinkById = () => notYet('status links')
  listStatusLinks = () => notYet('status links')
  revokeStatusLink = () => notYet('status links')
  mailCursor = () => notYet('email')
  advanceMailCursor = () => notYet('email')
  claimMailJob = () => notYet('email')
  renewMailJob = () => notYet('email')
  mailJobAttempts = () => notYet('email')
  finishMailJob = () => notYet('email')
  expiredMailJobs = () => notYet('email')
  claimMailRecipients = () => notYet('email')
  finishMailRecipient = () => notYet('email')
  releaseMailRecipients = () => notYet('email')
  mailRecipients = () => notYet('email')
  eventsOfIncident = () => notYet('email')
  eventById = () => notYet('email')
}

/**
 * Everything the stores use from the phone's database at start, in one
 * module so it loads as one chunk, on first use (see ./load). The runbook
 * tables (./runbooks, ./runbook-drafts) are imported by their users when
 * first needed, so a phone's start does not fetch them.
 */
export { liveQuery, type Subscription } from 'dexie'
export { database, onNewerVersion, replaceDatabase } from './database'
export { loadProfile, readSetting, writeSetting } from './settings'
export { appendLocalEvents, eventsAfter, pendingCount, rejectedEvents } from './events'
export { openDeviceClock } from './clock'
export { unreadableEvents } from './unreadable'
export { readClockOffset } from './clock-offset'
export { readParameterValues, writeParameterValues } from './runbook-parameters'
export {
  incidentEventsInOrder,
  incidentRows,
  readIncidents,
  readSearchIndex,
  readStartData,
  writeSearchIndex,
  writeSummaries,
} from './summaries'
export { readAfter } from './scope'

/**
 * Runbook parameter values typed for an incident (`switch_ip`, `campus`…),
 * kept on this phone only: one kv row per incident, values by parameter name,
 * shared by every runbook used in that incident, so a value is typed once.
 * Not synced: another responder fills in their own. Wiping the phone deletes
 * them with the rest of the database.
 */
import type { CommandPostDatabase } from './database'

const key = (incidentId: string) => `runbookParameters:${incidentId}`

/** The values stored for `incidentId`; empty when none (or when the row is not what this version wrote). */
export async function readParameterValues(
  db: CommandPostDatabase,
  incidentId: string,
): Promise<Record<string, string>> {
  const row = await db.kv.get(key(incidentId))
  const value = row?.value
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {}
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  )
}

/** Replaces the values stored for `incidentId`; empty values are not kept. Rejects when storage refuses the write. */
export async function writeParameterValues(
  db: CommandPostDatabase,
  incidentId: string,
  values: Readonly<Record<string, string>>,
): Promise<void> {
  const kept = Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== ''))
  await db.kv.put({ key: key(incidentId), value: kept })
}

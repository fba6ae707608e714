/**
 * The directory's constants (audiences and contacts, docs/CONTRACT-EXTENSIONS.md
 * "Directory and email"), without the schemas, like ./vocabulary.
 *
 * The directory rides the incidents' event log: its events carry the reserved
 * incident id `directory`, which no incident can have (the event schema refuses
 * it for every other type), so sync, storage, offline rules and last-writer-wins
 * are the incidents' own.
 */

/** The reserved incident id of every directory event (9 characters: a valid id of CONTRACT.md §1). */
export const DIRECTORY_ID = 'directory'

/** The event types that belong to the directory, not to an incident. */
export const DIRECTORY_TYPES = ['audience.saved', 'contact.saved'] as const
export type DirectoryType = (typeof DIRECTORY_TYPES)[number]

/** True for an audience or contact event: it must carry `incidentId: "directory"`, and nothing else may. */
export function isDirectoryType(type: string): type is DirectoryType {
  return (DIRECTORY_TYPES as readonly string[]).includes(type)
}

/** Event types only the server writes: a phone's push of one is refused. */
export const SERVER_ONLY_TYPES = ['update.emailed'] as const

/** True for an event type only the server may write (delivery reports). */
export function isServerOnlyType(type: string): boolean {
  return (SERVER_ONLY_TYPES as readonly string[]).includes(type)
}

/** A contact is a person (the superintendent) or a vendor (the ISP's NOC). */
export const CONTACT_KINDS = ['person', 'vendor'] as const
export type ContactKind = (typeof CONTACT_KINDS)[number]

/**
 * What became of emailing an update (`update.emailed`):
 * - `sent`: every address was tried (see `sent`, `failed`, `unknown`);
 * - `not_set_up`: the server has no SMTP settings, nothing was sent;
 * - `no_audience`: the audience is unknown to the server, removed, or has no address.
 */
export const EMAIL_OUTCOMES = ['sent', 'not_set_up', 'no_audience'] as const
export type EmailOutcome = (typeof EMAIL_OUTCOMES)[number]

/** Lengths and counts of the directory's fields (UTF-16 code units after NFC, like LIMITS). */
export const DIRECTORY_LIMITS = {
  /** RFC 5321's longest forward path. */
  email: 254,
  phone: 40,
  phoneLabel: 40,
  phones: 6,
  role: 120,
  note: 2000,
  /** Addresses in one audience: "Families — Lincoln High" at a large school. */
  members: 5000,
  /** One SMTP answer as reported back onto the incident. */
  smtpAnswer: 500,
  /** Failed or unknown addresses listed one by one in a delivery report; the rest are counted. */
  reportedFailures: 50,
} as const

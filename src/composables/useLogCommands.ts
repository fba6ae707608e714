import { LIMITS, type IncidentEvent, type LogKind } from '../domain/events'
import type { LogEntry } from '../domain/fold'
import { invalidFields, type CommandResult } from '../domain/command-result'
import { useIncidentsStore } from '../stores/incidents'

export interface LogCommands {
  /**
   * Add a log entry (`log.entry`), text trimmed. Field errors keyed `text`
   * when it is empty or longer than `LIMITS.logText` (nothing stored).
   */
  logEntry: (incidentId: string, entry: { text: string; kind: LogKind }) => Promise<CommandResult<IncidentEvent>>
  /**
   * Correct an entry's text (`log.amended` with `text`); the original stays in
   * its history. Field errors keyed `text` when the correction is empty, too
   * long or unchanged. `reason` is optional and kept in the history.
   */
  amendEntry: (
    incidentId: string,
    entry: Pick<LogEntry, 'id' | 'text'>,
    correction: { text: string; reason?: string },
  ) => Promise<CommandResult<IncidentEvent>>
  /** Pin or unpin an entry (`log.amended` with `pinned`). */
  pinEntry: (incidentId: string, entryId: string, pinned: boolean) => Promise<CommandResult<IncidentEvent>>
  /** Strike an entry through, or restore it (`log.amended` with `struck`); nothing is deleted. */
  strikeEntry: (
    incidentId: string,
    entryId: string,
    struck: boolean,
    reason?: string,
  ) => Promise<CommandResult<IncidentEvent>>
}

/** Commands of the incident log: add, correct, pin and strike entries. All work offline. */
export function useLogCommands(): LogCommands {
  const store = useIncidentsStore()

  function logEntry(incidentId: string, entry: { text: string; kind: LogKind }): Promise<CommandResult<IncidentEvent>> {
    const text = entry.text.trim()
    const invalid = invalidFields(
      !text
        ? { text: 'Type what you did or saw first.' }
        : text.length > LIMITS.logText
          ? {
              text: `A log entry can be at most ${LIMITS.logText} characters (this one is ${text.length}). Split it in two.`,
            }
          : {},
    )
    if (invalid) return Promise.resolve(invalid)
    return store.record(incidentId, 'log.entry', { text, kind: entry.kind })
  }

  function amendEntry(
    incidentId: string,
    entry: Pick<LogEntry, 'id' | 'text'>,
    correction: { text: string; reason?: string },
  ): Promise<CommandResult<IncidentEvent>> {
    const text = correction.text.trim()
    const invalid = invalidFields(
      !text
        ? { text: 'Type the corrected text, or strike the entry instead.' }
        : text.length > LIMITS.logText
          ? { text: `At most ${LIMITS.logText} characters.` }
          : text === entry.text
            ? { text: 'The text is unchanged.' }
            : {},
    )
    if (invalid) return Promise.resolve(invalid)
    return store.record(incidentId, 'log.amended', {
      entryId: entry.id,
      text,
      reason: correction.reason?.trim() || undefined,
    })
  }

  function pinEntry(incidentId: string, entryId: string, pinned: boolean): Promise<CommandResult<IncidentEvent>> {
    return store.record(incidentId, 'log.amended', { entryId, pinned })
  }

  function strikeEntry(
    incidentId: string,
    entryId: string,
    struck: boolean,
    reason = '',
  ): Promise<CommandResult<IncidentEvent>> {
    return store.record(incidentId, 'log.amended', { entryId, struck, reason: reason.trim() || undefined })
  }

  return { logEntry, amendEntry, pinEntry, strikeEntry }
}

/**
 * The runbook catalog, compiled into the app bundle by build/runbooks/vite-plugin.ts.
 * Available offline with the app shell; a runbook's content is fetched with
 * loadRunbook (load.ts).
 */
import manifest from 'virtual:runbooks'
import type { RunbookMeta } from './types'

export { manifest }
export const runbooks: readonly RunbookMeta[] = manifest.runbooks

const byId = new Map(manifest.runbooks.map((runbook) => [runbook.id, runbook]))

export function findRunbook(id: string): RunbookMeta | undefined {
  return byId.get(id)
}

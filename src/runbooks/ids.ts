/**
 * Runbook ids. An id is the file's path under runbooks/ without `.md`,
 * lowercased, with `/` kept between folders: `runbooks/network/Switch-Down.md`
 * is `network/switch-down`, routed as `/runbooks/network/switch-down` and
 * emitted as `runbooks/network/switch-down.json`.
 *
 * The pattern is the one `log.entry` payload `runbook.id` is validated with in
 * src/domain/events.ts (the domain imports nothing of ours, so it keeps its own
 * copy; ids.test.ts checks the two agree).
 */
export const RUNBOOK_ID_PATTERN = /^[A-Za-z0-9_/.-]{1,200}$/

/** True when `id` is a well-formed id that cannot climb out of the runbooks folder. */
export function isRunbookId(id: string): boolean {
  if (!RUNBOOK_ID_PATTERN.test(id)) return false
  return id.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..')
}

/**
 * The id of a file from its path relative to the runbooks folder (either
 * separator, `.md` optional). Accents are dropped; other characters outside
 * the id alphabet become `-`.
 * Returns null when nothing usable is left (empty, or a `.`/`..` segment).
 */
export function runbookIdFromPath(relativePath: string): string | null {
  const segments = relativePath
    .replace(/\\/g, '/')
    .replace(/\.md$/i, '')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '') // école → ecole rather than -cole
    .toLowerCase()
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .map((segment) => segment.replace(/[^a-z0-9_.-]/g, '-'))
  if (segments.length === 0 || segments.includes('..')) return null
  const id = segments.join('/')
  return isRunbookId(id) ? id : null
}

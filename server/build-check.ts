/** Whether the built app (dist) is older than what it is built from. */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** What a build is made from: a change to any of these makes dist stale. */
export const BUILD_INPUTS = ['src', 'runbooks', 'public', 'index.html', 'vite.config.ts']

/** Newest modification time (ms) under `path`, directories included (they change when a file is deleted); 0 when absent. */
export function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

export function buildIsStale(root: string, distDir: string): boolean {
  const index = join(distDir, 'index.html')
  if (!existsSync(index)) return true
  const built = statSync(index).mtimeMs
  return BUILD_INPUTS.some((input) => newestMtime(join(root, input)) > built)
}

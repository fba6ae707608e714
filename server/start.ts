/**
 * `npm start`: build the app if the build is missing or older than its
 * sources, then run the server in this process.
 */
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { buildIsStale } from './build-check'
import { run } from './main'

function build(root: string, distDir: string): void {
  process.stderr.write('Building the app (vite build)…\n')
  // Build output goes to stderr: stdout is kept for the join link and the listening line.
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', distDir],
    {
      cwd: root,
      stdio: ['ignore', process.stderr, process.stderr],
    },
  )
  if (result.status !== 0) {
    process.stderr.write('vite build failed; not starting.\n')
    process.exit(result.status ?? 1)
  }
}

const root = process.cwd()
const distDir = resolve(root, process.env.DIST_DIR || 'dist')
if (buildIsStale(root, distDir)) build(root, distDir)
await run()

// Runs every browser scenario in tests/e2e with node's test runner, one file at a time
// (a 2-core machine: Chromium and the server need the room).
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const dir = import.meta.dirname
const only = process.argv.slice(2)
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => join(dir, f))
// Node applies --test-timeout to each file as a whole (one subtest per file): sync.test.ts's six phones
// take ~145 s on a quiet machine and over 180 s while a benchmark loads it, every test passing. A hung
// test still fails at its own waits (30–60 s each); this only stops a file that never ends.
const FILE_TIMEOUT_MS = 900_000
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    `--test-timeout=${FILE_TIMEOUT_MS}`,
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)

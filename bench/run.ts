/**
 * `npm run bench`: builds the app (into a temporary folder of its own: a
 * fresh build is never stale, and the shared dist/ is left to the tests;
 * not when only Node suites are asked for),
 * then measures every figure beside its limit in one run.
 *
 *   npm run bench                        everything; exit 1 if a budget fails
 *   npm run bench -- --no-fail           exploratory: report, exit 0
 *   npm run bench -- --only fold,search  some suites (see SUITES in main.ts)
 *   npm run bench -- --dist <dir>        use an existing build made with bench/vite.config.ts
 *   npm run bench -- --readme            also rewrite bench/README-section.md with this run's table
 *   npm run bench -- --scale             only the opt-in scale suites: PostgreSQL (bench/scale.ts), then a phone
 *                                        holding 5,000 incidents (bench/phone-scale.ts, needs npm run build), then
 *                                        a new phone joining a server of 1,000,000 events (bench/join-scale.ts, same);
 *                                        --scale --only postgres, --only phone or --only join for one of them
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

const ROOT = resolve(import.meta.dirname, '..')
const { values } = parseArgs({
  options: {
    'no-fail': { type: 'boolean', default: false },
    only: { type: 'string' },
    dist: { type: 'string' },
    readme: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  process.stdout.write('usage: npm run bench -- [--no-fail] [--only suite,suite] [--dist <dir>] [--readme] | --scale\n')
  process.exit(0)
}
// The opt-in scale suites (issue #17): nothing else measured.
if (values.scale) {
  const parts = values.only ? values.only.split(',') : ['postgres', 'phone', 'join']
  let failures = 0
  if (parts.includes('postgres')) {
    const { scale } = await import('./scale')
    failures += await scale(values['no-fail'])
  }
  if (parts.includes('phone')) {
    const { phoneScale } = await import('./phone-scale')
    failures += await phoneScale((line) => process.stdout.write(`${line}\n`))
  }
  if (parts.includes('join')) {
    const { joinScale } = await import('./join-scale')
    failures += await joinScale((line) => process.stdout.write(`${line}\n`))
  }
  process.exit(failures && !values['no-fail'] ? 1 : 0)
}

/** Suites measured in Node alone, on no build of the app: asked for alone, they skip the build. */
const NODE_ONLY = new Set(['fold', 'search', 'hostile'])
const only = values.only
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean)
const needsBuild = !only || only.some((s) => !NODE_ONLY.has(s))

const started = performance.now()
let distDir = values.dist ? resolve(values.dist) : ''
const ownBuild = !distDir && needsBuild
if (ownBuild) {
  distDir = mkdtempSync(join(tmpdir(), 'command-post-bench-dist-'))
  process.stdout.write(`Building the app into ${distDir} …\n`)
  const t = performance.now()
  try {
    execFileSync(
      join(ROOT, 'node_modules/.bin/vite'),
      ['build', '--config', 'bench/vite.config.ts', '--outDir', distDir, '--emptyOutDir', '--logLevel', 'warn'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
      },
    )
  } catch {
    process.stderr.write('The app does not build: nothing to measure.\n')
    process.exit(2)
  }
  process.stdout.write(`Built in ${((performance.now() - t) / 1000).toFixed(1)} s\n`)
}
if (needsBuild && !existsSync(join(distDir, 'index.html'))) {
  process.stderr.write(`No built app in ${distDir}\n`)
  process.exit(2)
}

// The e2e harness reads its dist folder when it is imported: set it first.
if (distDir) process.env.E2E_DIST_DIR = distDir
const { main } = await import('./main')
let code = 1
try {
  code = await main({
    distDir,
    noFail: values['no-fail'],
    readme: values.readme,
    only,
    started,
  })
} finally {
  if (ownBuild) rmSync(distDir, { recursive: true, force: true })
}
process.exit(code)

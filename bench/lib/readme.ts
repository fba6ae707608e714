/**
 * bench/README-section.md: how to run the benchmark, what each figure means,
 * and the table of one run with the machine it ran on. Written by
 * `npm run bench -- --readme`, so the text and the figures never disagree.
 */
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { describeBudget, table, type MetricSpec, type Results } from './metrics'

export interface RunFacts {
  seconds: number
  chromium: string | null
  date: Date
  /** Load average (1 min) at the end: other work on the machine skews absolute figures. */
  load: number
  /** Samples cut short and the like: what a reader of the table must know. */
  notes: string[]
}

function cpuModel(): string {
  try {
    return (
      /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ??
      cpus()[0]?.model ??
      'unknown'
    )
  } catch {
    return cpus()[0]?.model ?? 'unknown'
  }
}

export function readmeSection(specs: readonly MetricSpec[], results: Results, facts: RunFacts): string {
  const meaning = specs.map((s) => {
    const limit = s.limitOf
      ? `limit: \`${s.limitOf}\` (same run)`
      : s.limitValue !== undefined
        ? `target ${s.limitValue}`
        : 'no limit'
    return `| \`${s.name}\` | ${s.about} | ${limit} | ${describeBudget(s.budget)} |`
  })
  return [
    '## Performance',
    '',
    "The benchmark measures the app as a responder's phone and the sync server run it, and puts every figure",
    'beside a limit measured **in the same run** (a blank page served by the same service worker, a raw',
    'IndexedDB put, a plain sort, raw SQLite inserts): absolute times drift on shared machines, ratios much less.',
    'Same data every run (seeded), warm-up runs excluded.',
    '',
    '```sh',
    'npm run bench                        # everything, about 4 minutes on 2 cores; exit 1 if a budget fails',
    'npm run bench -- --no-fail           # exploratory: print and save, exit 0',
    'npm run bench -- --only fold,search  # some suites: bundle fold search ingest sse cold incident a11y sync lighthouse',
    "npm run bench -- --readme            # also rewrite this section with the run's table",
    '```',
    '',
    'It always builds the app first (`vite build` with `bench/vite.config.ts`, into a temporary folder, so',
    "the build is never stale and the shared `dist/` is left alone); the app's `public/blank.html` (no script) is",
    'the cold-start limit page. It then starts the real server (`server/main.ts`, 127.0.0.1, port 0, temporary',
    "data folder, tokens from the token CLI), drives Debian's Chromium through playwright-core, and runs",
    'Lighthouse 12.8 in its own Chromium. It prints the table, the findings behind failing figures',
    '(Lighthouse audits and opportunities, axe rules and elements), and writes `bench/results.json`',
    '(`{ name: { value, unit, limit, ratio, budget, ok } }`, ratio = value / limit; a figure that could not be',
    'measured has `value: null` and a `note`) and `bench/results.details.json` (per-step times, samples, findings).',
    '',
    'A budget applies to the value or to the ratio, as its column says. Long steps stop early on a slow app',
    '(log entries after 30 s, phone sync after 25 s) and report the rate or percentile of what was done,',
    'so a run stays under five minutes; the details file says how many samples were taken.',
    '',
    '| figure | what is measured | limit | budget |',
    '| --- | --- | --- | --- |',
    ...meaning,
    '',
    `### Last run (${facts.date.toISOString().slice(0, 10)})`,
    '',
    `Machine: ${cpus().length} CPUs (nproc), ${cpuModel()}; Node ${process.version}; ${facts.chromium ?? 'Chromium'};`,
    `load average ${facts.load.toFixed(1)} at the end${facts.load > cpus().length ? ' (other work was running: absolute times are pessimistic, ratios less so)' : ''}; the run took ${Math.round(facts.seconds)} s.`,
    '',
    table(specs, results),
    '',
    ...facts.notes.map((n) => `- ${n}`),
    ...(facts.notes.length ? [''] : []),
  ].join('\n')
}

export function currentLoad(): number {
  return loadavg()[0] ?? 0
}

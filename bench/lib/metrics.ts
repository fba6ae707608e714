/**
 * The figures of one run, each beside its limit, and how they are printed and
 * saved (bench/results.json).
 */
import { writeFileSync } from 'node:fs'
import { round } from './stats'

/** What a budget is checked against, and which way. */
export interface Budget {
  on: 'value' | 'ratio'
  op: '<=' | '<' | '>='
  n: number
}

export interface MetricSpec {
  name: string
  unit: string
  /** Name of the metric measured in the same run that this one is compared with. */
  limitOf?: string
  /** A fixed limit (a target), when there is no measured one. */
  limitValue?: number
  budget?: Budget
  /** One line: what is measured, for the README section. */
  about: string
}

export interface MetricResult {
  value: number | null
  unit: string
  limit: number | null
  ratio: number | null
  budget: number | null
  ok: boolean
  /** Only when the figure could not be measured: why. */
  note?: string
}

export type Results = Record<string, MetricResult>

export class Recorder {
  private readonly values = new Map<string, { value: number | null; note?: string }>()

  constructor(readonly specs: readonly MetricSpec[]) {}

  set(name: string, value: number, digits = 2): void {
    if (!this.specs.some((s) => s.name === name)) throw new Error(`unknown metric ${name}`)
    this.values.set(name, { value: round(value, digits) })
  }

  skip(name: string, note: string): void {
    this.values.set(name, { value: null, note })
  }

  has(name: string): boolean {
    return this.values.has(name)
  }

  results(): Results {
    const out: Results = {}
    for (const spec of this.specs) {
      const measured = this.values.get(spec.name)
      if (!measured) continue
      const value = measured.value
      const limit =
        spec.limitOf !== undefined ? (this.values.get(spec.limitOf)?.value ?? null) : (spec.limitValue ?? null)
      const ratio = value !== null && limit ? round(value / limit, 3) : null
      const budget = spec.budget ?? null
      let ok = true
      if (budget) {
        const x = budget.on === 'value' ? value : ratio
        ok = x !== null && holds(x, budget)
      }
      out[spec.name] = {
        value,
        unit: spec.unit,
        limit,
        ratio,
        budget: budget?.n ?? null,
        ok,
        ...(measured.note ? { note: measured.note } : {}),
      }
    }
    return out
  }
}

function holds(x: number, b: Budget): boolean {
  if (b.op === '<=') return x <= b.n
  if (b.op === '<') return x < b.n
  return x >= b.n
}

export function describeBudget(b: Budget | undefined): string {
  return b ? `${b.on} ${b.op === '>=' ? '≥' : b.op === '<=' ? '≤' : '<'} ${b.n}` : '—'
}

const fmt = (x: number | null): string =>
  x === null ? '—' : Number.isInteger(x) ? String(x) : String(round(x, x < 10 ? 3 : 1))

/** Markdown table: readable in a terminal and pasteable into the README. */
export function table(specs: readonly MetricSpec[], results: Results): string {
  const rows = [
    '| metric | value | unit | limit (same run) | ratio = value/limit | budget (on value or ratio) | ok |',
    '| --- | ---: | --- | ---: | ---: | --- | --- |',
  ]
  for (const spec of specs) {
    const r = results[spec.name]
    if (!r) continue
    const limit = r.limit === null ? '—' : `${fmt(r.limit)}${spec.limitOf ? ` (${spec.limitOf})` : ' (target)'}`
    const value = r.value === null ? `n/a: ${r.note ?? ''}` : fmt(r.value)
    rows.push(
      `| ${spec.name} | ${value} | ${r.unit} | ${limit} | ${fmt(r.ratio)} | ${describeBudget(spec.budget)} | ${spec.budget ? (r.ok ? 'yes' : '**NO**') : '—'} |`,
    )
  }
  return rows.join('\n')
}

export function writeResults(path: string, results: Results): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`)
}

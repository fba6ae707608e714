/**
 * Three-way line merge of runbook sources, for a proposal edited from an older
 * version than the one published since (a stale proposal). `base` is the
 * version both were edited from, `mine` the proposal, `theirs` the version
 * published now.
 *
 * diff3 over the line diffs of diff.ts: lines of `base` kept by both sides are
 * stable; between them, a stretch changed on one side only takes that side, a
 * stretch changed identically on both takes it once, and a stretch changed
 * differently on both is a conflict. Nothing is ever chosen silently: a
 * conflict keeps both sides (and the base) for the person to decide.
 */
import { diffLines, splitLines } from './diff'

/** A stretch of the merge: agreed lines, or a conflict with all three sides' lines. */
export type MergeChunk =
  { kind: 'ok'; lines: string[] } | { kind: 'conflict'; base: string[]; mine: string[]; theirs: string[] }

/** `text` is the merged source when `conflicts` is 0, null otherwise (the chunks say what clashed). */
export interface MergeResult {
  conflicts: number
  chunks: MergeChunk[]
  text: string | null
}

/** For each line of `from`, its line in `to` when the diff kept it, else -1 (0-based). */
function matches(from: readonly string[], to: readonly string[]): Int32Array {
  const out = new Int32Array(from.length).fill(-1)
  for (const line of diffLines(from, to)) if (line.op === 'same') out[line.fromLine! - 1] = line.toLine! - 1
  return out
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])

/** Merges the changes base→mine and base→theirs; see the module comment. CRLF is read as LF. */
export function mergeThreeWay(base: string, mine: string, theirs: string): MergeResult {
  const o = splitLines(base)
  const a = splitLines(mine)
  const b = splitLines(theirs)
  const toA = matches(o, a)
  const toB = matches(o, b)
  const chunks: MergeChunk[] = []
  let conflicts = 0
  const keep = (lines: string[]) => {
    if (lines.length === 0) return
    const last = chunks.at(-1)
    if (last?.kind === 'ok') last.lines.push(...lines)
    else chunks.push({ kind: 'ok', lines: [...lines] })
  }
  let i = 0
  let ia = 0
  let ib = 0
  while (i < o.length || ia < a.length || ib < b.length) {
    if (i < o.length && toA[i] === ia && toB[i] === ib) {
      keep([o[i]!])
      i++
      ia++
      ib++
      continue
    }
    // The next base line both sides kept ends this unstable stretch (or the end of all three).
    let k = i
    while (k < o.length && (toA[k]! < 0 || toB[k]! < 0)) k++
    const endA = k < o.length ? toA[k]! : a.length
    const endB = k < o.length ? toB[k]! : b.length
    const inBase = o.slice(i, k)
    const inMine = a.slice(ia, endA)
    const inTheirs = b.slice(ib, endB)
    if (same(inMine, inBase)) keep(inTheirs)
    else if (same(inTheirs, inBase) || same(inMine, inTheirs)) keep(inMine)
    else {
      chunks.push({ kind: 'conflict', base: inBase, mine: inMine, theirs: inTheirs })
      conflicts++
    }
    i = k
    ia = endA
    ib = endB
  }
  const text =
    conflicts === 0
      ? chunks.flatMap((c) => (c.kind === 'ok' ? c.lines : [])).join('\n') + (chunks.length ? '\n' : '')
      : null
  return { conflicts, chunks, text }
}

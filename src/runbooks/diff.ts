/**
 * A line diff of two Markdown sources, grouped by section (the nearest heading
 * above each line). Hand-written because no diff library is installed
 * (node_modules has none, and installing packages is not allowed on this
 * branch): a longest-common-subsequence table over the lines that differ,
 * after the common head and tail are set aside.
 *
 * The table is (n+1)×(m+1) 32-bit cells; past MAX_DIFF_CELLS (16 M cells,
 * 64 MB) the middle is shown as all removed then all added rather than risk the
 * server's memory: correct, only less minimal. Runbooks are a few hundred lines,
 * so in practice the table is small.
 *
 * Shared by the server (GET /api/runbooks/:id/diff) and the phone's three-way
 * merge (merge.ts): both sides see the same lines as changed.
 */

/** One line of a diff: kept, only in `from` (removed) or only in `to` (added); line numbers 1-based. */
export interface DiffLine {
  op: 'same' | 'added' | 'removed'
  text: string
  fromLine?: number
  toLine?: number
}

/** A section that changed: its heading line (`## Steps`) or null before the first heading, and all its lines. */
export interface DiffSection {
  heading: string | null
  lines: DiffLine[]
}

export interface SectionDiff {
  added: number
  removed: number
  /** Only the sections with at least one added or removed line, in document order. */
  sections: DiffSection[]
}

/** The largest LCS table (cells) built before falling back to remove-all/add-all for the middle. */
export const MAX_DIFF_CELLS = 16_000_000

/** Splits a source into lines: CRLF and CR count as LF; a final newline adds no empty line. */
export function splitLines(source: string): string[] {
  const text = source.replace(/\r\n?/g, '\n')
  if (text === '') return []
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines
}

/** The line-by-line edit script turning `from` into `to` (a minimal one while under MAX_DIFF_CELLS). */
export function diffLines(from: readonly string[], to: readonly string[]): DiffLine[] {
  let head = 0
  while (head < from.length && head < to.length && from[head] === to[head]) head++
  let tail = 0
  while (
    tail < from.length - head &&
    tail < to.length - head &&
    from[from.length - 1 - tail] === to[to.length - 1 - tail]
  )
    tail++
  const out: DiffLine[] = []
  for (let i = 0; i < head; i++) out.push({ op: 'same', text: from[i]!, fromLine: i + 1, toLine: i + 1 })
  const a = from.slice(head, from.length - tail)
  const b = to.slice(head, to.length - tail)
  middle(a, b, head, out)
  for (let k = tail; k > 0; k--) {
    const i = from.length - k
    const j = to.length - k
    out.push({ op: 'same', text: from[i]!, fromLine: i + 1, toLine: j + 1 })
  }
  return out
}

function middle(a: readonly string[], b: readonly string[], offset: number, out: DiffLine[]): void {
  const n = a.length
  const m = b.length
  const removeAll = () => a.forEach((text, i) => out.push({ op: 'removed', text, fromLine: offset + i + 1 }))
  const addAll = () => b.forEach((text, j) => out.push({ op: 'added', text, toLine: offset + j + 1 }))
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > MAX_DIFF_CELLS) {
    removeAll()
    addAll()
    return
  }
  // lcs[i][j]: length of the LCS of a[i..] and b[j..], row-major in one typed array.
  const width = m + 1
  const lcs = new Uint32Array((n + 1) * width)
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!)
    }
  }
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: 'same', text: a[i]!, fromLine: offset + i + 1, toLine: offset + j + 1 })
      i++
      j++
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
      out.push({ op: 'removed', text: a[i]!, fromLine: offset + i + 1 })
      i++
    } else {
      out.push({ op: 'added', text: b[j]!, toLine: offset + j + 1 })
      j++
    }
  }
  for (; i < n; i++) out.push({ op: 'removed', text: a[i]!, fromLine: offset + i + 1 })
  for (; j < m; j++) out.push({ op: 'added', text: b[j]!, toLine: offset + j + 1 })
}

const HEADING = /^ {0,3}#{1,6}(?:\s|$)/

/**
 * The diff of two sources grouped by section. A heading line starts a section
 * (a removed heading starts one too, so its lines are not blamed on the
 * section above); lines inside fenced code blocks are never headings.
 */
export function sectionDiff(fromSource: string, toSource: string): SectionDiff {
  const lines = diffLines(splitLines(fromSource), splitLines(toSource))
  const sections: DiffSection[] = []
  let current: DiffSection = { heading: null, lines: [] }
  let fenceFrom: string | null = null
  let fenceTo: string | null = null
  let added = 0
  let removed = 0
  const flush = () => {
    if (current.lines.some((l) => l.op !== 'same')) sections.push(current)
  }
  for (const line of lines) {
    // Fences are tracked per side: a line is code if the side(s) it belongs to are inside a fence.
    const inFence = (line.op !== 'added' && fenceFrom !== null) || (line.op !== 'removed' && fenceTo !== null)
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(line.text)?.[1]
    if (!inFence && HEADING.test(line.text)) {
      flush()
      current = { heading: line.text.trim(), lines: [] }
    }
    if (fence) {
      if (line.op !== 'added')
        fenceFrom = fenceFrom === null ? fence[0]! : fence.startsWith(fenceFrom) ? null : fenceFrom
      if (line.op !== 'removed') fenceTo = fenceTo === null ? fence[0]! : fence.startsWith(fenceTo) ? null : fenceTo
    }
    if (line.op === 'added') added++
    if (line.op === 'removed') removed++
    current.lines.push(line)
  }
  flush()
  return { added, removed, sections }
}

/**
 * Front matter of a runbook: the YAML (`---`) or TOML (`+++`) block Hugo and
 * most static-site tools put at the top of a Markdown file.
 *
 * YAML is read by a full YAML 1.2 parser (every scalar form: plain, quoted,
 * folded, literal, over several lines); TOML by a small flat subset. Values are
 * strings or lists of strings; a YAML map (Hugo's `menu:`, our `parameters:`) is
 * kept apart, in `maps`, and TOML tables are skipped. It never
 * throws: a line it cannot read becomes a warning naming that line (the build
 * prefixes the file), and the runbook still builds, because one typo must not
 * take the runbooks offline.
 */
import { isMap, isScalar, isSeq, parseDocument } from 'yaml'
import type { Scalar, YAMLError } from 'yaml'

export type FrontMatterValue = string | string[]

export interface FrontMatter {
  data: Record<string, FrontMatterValue>
  /**
   * Keys whose value is a map, or a list holding maps (YAML only), as plain
   * JSON with string leaves: `parameters:` reads them. Absent when there is none.
   */
  maps?: Record<string, unknown>
  body: string
  warnings: string[]
}

const KEY_LINE = /^([A-Za-z_][\w.-]*)\s*[:=]\s*(.*)$/

/**
 * Splits a runbook into its front matter and Markdown body. Without a leading
 * `---`/`+++` fence the whole source is the body. Never throws: unreadable
 * lines, an unclosed fence or a YAML syntax error come back in `warnings`.
 */
export function parseFrontMatter(source: string): FrontMatter {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  const lines = text.split('\n')
  const fence = lines[0]?.trimEnd()
  if (fence !== '---' && fence !== '+++') return { data: {}, body: text, warnings: [] }

  const closeAt = lines.findIndex(
    (line, i) => i > 0 && (line.trimEnd() === fence || (fence === '---' && line.trimEnd() === '...')),
  )
  if (closeAt === -1) {
    // Most likely a forgotten closing fence; showing the block as text beats guessing where it ends.
    return { data: {}, body: text, warnings: [`front matter starts with ${fence} but is never closed; shown as text`] }
  }
  const { data, maps, warnings } =
    fence === '---' ? parseYaml(lines.slice(1, closeAt).join('\n')) : parseTomlSubset(lines.slice(1, closeAt))
  const body = lines.slice(closeAt + 1).join('\n')
  return maps && Object.keys(maps).length > 0 ? { data, maps, body, warnings } : { data, body, warnings }
}

/**
 * YAML 1.2 through the `yaml` package, with the failsafe schema: every scalar
 * stays the string the author wrote (`1.10` is not 1.1, `2026-03-01` not a Date),
 * which is what the flat string/list shape promises. Maps (Hugo's `menu:`) and
 * empty values are skipped. A syntax error becomes one warning per line, with
 * the file's line number, and whatever YAML recovered is kept.
 */
function parseYaml(block: string): {
  data: Record<string, FrontMatterValue>
  maps: Record<string, unknown>
  warnings: string[]
} {
  const data: Record<string, FrontMatterValue> = {}
  const maps: Record<string, unknown> = {}
  const blockLines = block.split('\n')
  const doc = parseDocument(block, { schema: 'failsafe', version: '1.2' })
  const warnings = yamlProblems([...doc.errors, ...doc.warnings], blockLines)
  if (doc.contents === null) return { data, maps, warnings }
  if (!isMap(doc.contents)) {
    warnings.push('front matter is not a list of "key: value" lines; ignored')
    return { data, maps, warnings }
  }
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : ''
    if (key === '') continue
    if (isScalar(pair.value)) {
      const text = scalarText(pair.value)
      if (text !== '') data[key] = text
    } else if (isSeq(pair.value)) {
      const items = pair.value.items.flatMap((item) => (isScalar(item) ? [scalarText(item)] : []))
      if (items.length > 0) data[key] = items
      if (pair.value.items.some((item) => isMap(item))) maps[key] = pair.value.toJSON()
    } else if (isMap(pair.value)) {
      maps[key] = pair.value.toJSON()
    }
  }
  return { data, maps, warnings }
}

/** The scalar as a string; block scalars lose the final line break YAML keeps (`|`, `>`), which means nothing in a title or summary. */
function scalarText(node: Scalar): string {
  // The failsafe schema reads every scalar as a string.
  const text = typeof node.value === 'string' ? node.value : ''
  return node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL' ? text.replace(/\n+$/, '') : text
}

/** One warning per offending line, numbered as in the runbook file (the opening fence is line 1). */
function yamlProblems(problems: YAMLError[], blockLines: string[]): string[] {
  const seen = new Set<number>()
  const warnings: string[] = []
  for (const problem of problems) {
    const blockLine = problem.linePos?.[0].line ?? 1
    if (seen.has(blockLine)) continue
    seen.add(blockLine)
    // The library's message names block-relative positions; ours names the file's line instead.
    const reason = (problem.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')
    warnings.push(
      `front matter line ${blockLine + 1} is not valid YAML (${reason}): ${truncate(blockLines[blockLine - 1] ?? '')}`,
    )
  }
  return warnings
}

function parseTomlSubset(lines: string[]): {
  data: Record<string, FrontMatterValue>
  maps?: undefined
  warnings: string[]
} {
  const data: Record<string, FrontMatterValue> = {}
  const warnings: string[] = []
  let inTable = false
  lines.forEach((line, index) => {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    if (trimmed.startsWith('[')) {
      inTable = true // `[menu]` and the like: nested, skipped
      return
    }
    if (inTable) return
    const match = KEY_LINE.exec(trimmed)
    if (!match || !trimmed.includes('=')) {
      warnings.push(`front matter line ${index + 2} is not "key = value": ${truncate(line)}`)
      return
    }
    const raw = stripComment(match[2] ?? '').trim()
    data[match[1] as string] = raw.startsWith('[') ? parseFlowList(raw) : unquote(raw)
  })
  return { data, warnings }
}

function parseFlowList(raw: string): string[] {
  const inner = raw.replace(/^\[/, '').replace(/\]$/, '')
  const items: string[] = []
  let current = ''
  let quote: string | null = null
  for (const char of inner) {
    if (quote) {
      if (char === quote) quote = null
      current += char
    } else if (char === '"' || char === "'") {
      quote = char
      current += char
    } else if (char === ',') {
      items.push(current)
      current = ''
    } else {
      current += char
    }
  }
  items.push(current)
  return items.map((item) => unquote(item.trim())).filter((item) => item !== '')
}

/** Drops a trailing ` # comment` outside quotes. */
function stripComment(raw: string): string {
  let quote: string | null = null
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i]
    if (quote) {
      if (char === quote) quote = null
    } else if (char === '"' || char === "'") {
      quote = char
    } else if (char === '#' && (i === 0 || /\s/.test(raw[i - 1] ?? ''))) {
      return raw.slice(0, i)
    }
  }
  return raw
}

function unquote(raw: string): string {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    return raw.slice(1, -1).replace(/\\(["\\nt])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c))
  }
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1).replace(/''/g, "'")
  return raw
}

function truncate(line: string): string {
  return line.length > 60 ? `${line.slice(0, 57)}…` : line
}

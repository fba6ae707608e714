/**
 * Front matter of a runbook: the YAML (`---`) or TOML (`+++`) block Hugo and
 * most static-site tools put at the top of a Markdown file.
 *
 * This reads the flat subset runbooks use (`key: value`, quoted strings, `[a, b]`
 * and `- item` lists, `|`/`>` blocks) and skips the rest (nested maps such as
 * Hugo's `menu:`). It never throws: a line it cannot read becomes a warning and
 * the runbook still builds, because one typo must not take the runbooks offline.
 */

export type FrontMatterValue = string | string[]

export interface FrontMatter {
  data: Record<string, FrontMatterValue>
  body: string
  warnings: string[]
}

const KEY_LINE = /^([A-Za-z_][\w.-]*)\s*[:=]\s*(.*)$/

export function parseFrontMatter(source: string): FrontMatter {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  const lines = text.split('\n')
  const fence = lines[0]?.trimEnd()
  if (fence !== '---' && fence !== '+++') return { data: {}, body: text, warnings: [] }

  const closeAt = lines.findIndex((line, i) => i > 0 && (line.trimEnd() === fence || (fence === '---' && line.trimEnd() === '...')))
  if (closeAt === -1) {
    // Most likely a forgotten closing fence; showing the block as text beats guessing where it ends.
    return { data: {}, body: text, warnings: [`front matter starts with ${fence} but is never closed; shown as text`] }
  }
  const { data, warnings } = fence === '---' ? parseYamlSubset(lines.slice(1, closeAt)) : parseTomlSubset(lines.slice(1, closeAt))
  return { data, body: lines.slice(closeAt + 1).join('\n'), warnings }
}

function parseYamlSubset(lines: string[]): { data: Record<string, FrontMatterValue>; warnings: string[] } {
  const data: Record<string, FrontMatterValue> = {}
  const warnings: string[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i] ?? ''
    i++
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    if (/^\s/.test(line)) continue // belongs to a nested map we skip
    const match = /^([A-Za-z_][\w.-]*)\s*:(?:\s+(.*)|\s*)$/.exec(line)
    if (!match) {
      warnings.push(`front matter line ${i + 1} is not "key: value": ${truncate(line)}`)
      continue
    }
    const key = match[1] as string
    const raw = stripComment(match[2] ?? '').trim()
    if (raw === '|' || raw === '>' || /^[|>][+-]?$/.test(raw)) {
      const block: string[] = []
      while (i < lines.length && (/^\s/.test(lines[i] ?? '') || (lines[i] ?? '').trim() === '')) block.push((lines[i++] ?? '').trim())
      data[key] = raw.startsWith('|') ? block.join('\n').trim() : block.join(' ').replace(/\s+/g, ' ').trim()
      continue
    }
    if (raw === '') {
      // Either a block list (`- item` lines) or a nested map; only the list is kept.
      const items: string[] = []
      let nested = false
      while (i < lines.length && (/^\s/.test(lines[i] ?? '') || (lines[i] ?? '').trim() === '' || /^-\s/.test(lines[i] ?? ''))) {
        const item = /^\s*-\s+(.*)$/.exec(lines[i] ?? '')
        if (item) items.push(unquote(stripComment(item[1] ?? '').trim()))
        else if ((lines[i] ?? '').trim() !== '') nested = true
        i++
      }
      if (items.length > 0 && !nested) data[key] = items
      continue
    }
    data[key] = raw.startsWith('[') ? parseFlowList(raw) : unquote(raw)
  }
  return { data, warnings }
}

function parseTomlSubset(lines: string[]): { data: Record<string, FrontMatterValue>; warnings: string[] } {
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

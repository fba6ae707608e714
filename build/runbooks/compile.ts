/**
 * Compiles one runbook (Markdown with front matter) into the page the app shows
 * offline: sanitised HTML, table of contents, task steps, plain text for search.
 *
 * Security model: the HTML ends up in `v-html` on a device that may hold
 * incident data, so nothing executable may survive. Two layers:
 *  1. Raw HTML in the Markdown is passed on only when its tag is in AUTHOR_TAGS;
 *     any other tag (`<script>`, `<iframe>`, `<form>`, `<svg>`, `<server-name>`)
 *     is shown as the literal text the author typed.
 *  2. Everything, including what markdown-it itself renders, then goes through
 *     sanitize-html with an allow-list of tags, attributes, classes and URL
 *     schemes. Controls the app relies on (copy and step buttons, heading ids,
 *     table regions) carry a per-compile nonce; the same markup written by hand
 *     loses its button, ids and ARIA attributes.
 */
import { randomBytes } from 'node:crypto'
import { posix } from 'node:path'
import MarkdownIt from 'markdown-it'
import type { StateCore, Token } from 'markdown-it'
import sanitizeHtml from 'sanitize-html'
import { runbookIdFromPath } from '../../src/runbooks/ids'
import type { CompiledRunbook, RunbookHeading, RunbookStep } from '../../src/runbooks/types'
import { parseFrontMatter, type FrontMatterValue } from './front-matter'

/** Search text per runbook; enough for any real runbook, bounded for a pathological one. */
export const MAX_TEXT_CHARS = 20_000
const MAX_TITLE = 200
const MAX_SUMMARY = 300
const MAX_STEP_TEXT = 500
const MAX_TAGS = 20
const MAX_TAG = 40

export interface CompileOptions {
  /** Ids of every runbook in the build; links to other ids produce a warning. */
  knownIds?: ReadonlySet<string>
}

/** Per-compile state shared by the markdown-it rules (passed as markdown-it's `env`). */
interface CompileEnv {
  nonce: string
  usedIds: Set<string>
  headings: RunbookHeading[]
  steps: RunbookStep[]
  tableCount: number
  tablesSeen: number
}

// Tags an author may write as raw HTML. Everything else is escaped and shown as typed.
const AUTHOR_TAGS = new Set([
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'pre', 'code', 'kbd', 'samp', 'var',
  'em', 'strong', 'b', 'i', 'u', 's', 'del', 'ins', 'small', 'sub', 'sup', 'mark', 'abbr', 'q', 'cite', 'time',
  'a', 'img', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
  'details', 'summary', 'figure', 'figcaption', 'div', 'span',
])

// Attributes only the compiler may set (checked by nonce); stripped from hand-written HTML.
const TRUSTED_ONLY_ATTRIBUTES = new Set([
  'id', 'class', 'type', 'tabindex', 'role', 'aria-label', 'aria-pressed', 'aria-describedby', 'data-step', 'data-copy',
])

const md = new MarkdownIt({ html: true, linkify: true, typographer: false })
md.core.ruler.after('inline', 'command_post_structure', structureRule)
installRenderers(md)

export function compileRunbook(source: string, fileId: string, options: CompileOptions = {}): CompiledRunbook {
  const id = runbookIdFromPath(fileId)
  if (!id) throw new Error(`cannot make a runbook id from "${fileId}"`)
  const warnings: string[] = []
  const front = parseFrontMatter(source)
  warnings.push(...front.warnings)

  const env: CompileEnv = {
    nonce: randomBytes(12).toString('base64url'),
    usedIds: new Set(),
    headings: [],
    steps: [],
    tableCount: 0,
    tablesSeen: 0,
  }
  const tokens = md.parse(front.body, env)

  const fmTitle = clean(scalar(front.data.title), MAX_TITLE)
  const leadingH1 = tokens[0]?.type === 'heading_open' && tokens[0].tag === 'h1' ? plainInline(tokens[1]) : ''
  let title = fmTitle || clean(leadingH1, MAX_TITLE)
  if (!title) {
    title = titleFromFileName(fileId)
    warnings.push(`no title in front matter and no leading "# heading"; using "${title}"`)
  }
  // The app shows the title as the page's h1; drop a leading h1 that only repeats it.
  const dropH1 = leadingH1 !== '' && comparable(leadingH1) === comparable(title)
  if (dropH1) {
    tokens.splice(0, 3)
    env.headings.shift()
  }

  const text = extractText(tokens, dropH1 ? leadingH1 : '')
  const html = sanitize(md.renderer.render(tokens, md.options, env), env.nonce, id, options.knownIds, warnings)

  const summary = clean(scalar(front.data.summary) || scalar(front.data.description), MAX_SUMMARY) || firstParagraph(tokens)
  const updated = parseUpdated(scalar(front.data.updated) || scalar(front.data.lastmod), warnings)

  return {
    id,
    title,
    summary,
    tags: parseTags(front.data.tags),
    updated,
    stepCount: env.steps.length,
    html,
    toc: env.headings.filter((h) => h.level === 2 || h.level === 3),
    steps: env.steps,
    headings: env.headings,
    text,
    warnings,
  }
}

/* ---------- markdown-it rules ---------- */

/** Core rule: task steps, heading ids, table cell alignment; runs once the inline content is parsed. */
function structureRule(state: StateCore): void {
  const env = state.env as CompileEnv
  const tokens = state.tokens
  // Steps first, so heading slugs never collide with the step ids.
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token
    if (token.type !== 'list_item_open') continue
    const inline = tokens[i + 2]
    if (tokens[i + 1]?.type !== 'paragraph_open' || inline?.type !== 'inline') continue
    const first = inline.children?.[0]
    const marker = first?.type === 'text' ? /^\[([ xX])\][ \t]+/.exec(first.content) : null
    if (!first || !marker || !inline.children) continue
    first.content = first.content.slice(marker[0].length)
    const index = env.steps.length
    const textId = `cp-step-${index}`
    env.usedIds.add(textId)
    const checked = marker[1] !== ' '
    env.steps.push({ index, text: clean(plainInline(inline), MAX_STEP_TEXT), checked })
    token.attrJoin('class', 'step')
    token.attrSet('data-step', String(index))
    token.attrSet('data-cp', env.nonce)
    const toggle = new state.Token('cp_step_toggle', 'button', 0)
    toggle.meta = { index, checked, textId }
    const open = new state.Token('cp_step_text_open', 'span', 1)
    open.meta = { textId }
    inline.children = [toggle, open, ...inline.children, new state.Token('cp_step_text_close', 'span', -1)]
  }
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token
    if (token.type === 'heading_open') {
      const text = plainInline(tokens[i + 1])
      const id = uniqueSlug(text, env.usedIds)
      token.attrSet('id', id)
      token.attrSet('data-cp', env.nonce)
      env.headings.push({ level: Number(token.tag.slice(1)), id, text: clean(text, MAX_TITLE) })
    } else if (token.type === 'table_open') {
      env.tableCount++
    } else if (token.type === 'th_open' || token.type === 'td_open') {
      // markdown-it aligns cells with a style attribute; styles are not allowed, classes are.
      const align = /text-align:\s*(left|center|right)/.exec(token.attrGet('style') ?? '')
      token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style')
      if (align) {
        token.attrSet('class', `align-${align[1]}`)
        token.attrSet('data-cp', env.nonce)
      }
    }
  }
}

function installRenderers(markdown: MarkdownIt): void {
  const rules = markdown.renderer.rules

  rules.cp_step_toggle = (tokens, idx, _options, env: CompileEnv) => {
    const { index, checked, textId } = tokens[idx]?.meta as { index: number; checked: boolean; textId: string }
    return `<button type="button" class="step-toggle" data-step="${index}" aria-pressed="${checked}" aria-label="Step ${index + 1} done" aria-describedby="${textId}" data-cp="${env.nonce}">Done</button> `
  }
  rules.cp_step_text_open = (tokens, idx, _options, env: CompileEnv) =>
    `<span class="step-text" id="${(tokens[idx]?.meta as { textId: string }).textId}" data-cp="${env.nonce}">`
  rules.cp_step_text_close = () => '</span>'

  // A long line scrolls the <pre> sideways: keyboard users must be able to focus it to scroll (axe scrollable-region-focusable).
  const focusablePre = (inner: string, nonce: string) => inner.replace(/^<pre>/, `<pre tabindex="0" data-cp="${nonce}">`)
  const wrapCode = (inner: string, nonce: string) =>
    `<div class="code-block" data-cp="${nonce}"><button type="button" class="copy-code" data-copy aria-label="Copy code" data-cp="${nonce}">Copy</button>${focusablePre(inner.trimEnd(), nonce)}</div>\n`
  const fence = rules.fence
  const codeBlock = rules.code_block
  rules.fence = (tokens, idx, options, env: CompileEnv, self) => wrapCode(fence ? fence(tokens, idx, options, env, self) : '', env.nonce)
  rules.code_block = (tokens, idx, options, env: CompileEnv, self) => wrapCode(codeBlock ? codeBlock(tokens, idx, options, env, self) : '', env.nonce)

  rules.table_open = (_tokens, _idx, _options, env: CompileEnv) => {
    env.tablesSeen++
    // Unique names: several regions called just "Table" are indistinguishable in a screen reader's landmark list.
    const label = env.tableCount > 1 ? `Table ${env.tablesSeen}` : 'Table'
    return `<div class="table-scroll" tabindex="0" role="region" aria-label="${label}" data-cp="${env.nonce}"><table>\n`
  }
  rules.table_close = () => '</table></div>\n'

  rules.html_block = (tokens, idx) => {
    const content = tokens[idx]?.content ?? ''
    const escaped = escapeUnknownTags(content)
    // A block that opens with an unknown tag is text now: give it a paragraph like any other text.
    return startsWithKnownTag(content) ? escaped : `<p>${escaped.trim()}</p>\n`
  }
  rules.html_inline = (tokens, idx) => escapeUnknownTags(tokens[idx]?.content ?? '')
}

const TAG_START = /<(\/?)([A-Za-z][A-Za-z0-9-]*)/g

/**
 * Escapes the `<` of every tag not in AUTHOR_TAGS, so the parser never sees it as
 * a tag and the reader sees what the author typed (`<value of instance label>`).
 * Comments are left to the sanitiser, which drops them.
 */
function escapeUnknownTags(raw: string): string {
  return raw.replace(TAG_START, (whole, slash: string, name: string) => (AUTHOR_TAGS.has(name.toLowerCase()) ? whole : `&lt;${slash}${name}`))
}

function startsWithKnownTag(raw: string): boolean {
  if (raw.startsWith('<!--')) return true
  const name = /^<\/?([A-Za-z][A-Za-z0-9-]*)/.exec(raw)?.[1]
  return name !== undefined && AUTHOR_TAGS.has(name.toLowerCase())
}

/* ---------- sanitising ---------- */

function sanitize(html: string, nonce: string, id: string, knownIds: ReadonlySet<string> | undefined, warnings: string[]): string {
  return sanitizeHtml(html, {
    allowedTags: [...AUTHOR_TAGS, 'button'],
    allowedAttributes: {
      a: ['href', 'title', 'rel', 'target'],
      img: ['src', 'alt', 'title', 'width', 'height', 'loading'],
      h1: ['id'], h2: ['id'], h3: ['id'], h4: ['id'], h5: ['id'], h6: ['id'],
      span: ['id', 'class'],
      div: ['class', 'tabindex', 'role', 'aria-label'],
      pre: ['tabindex'],
      button: ['type', 'class', 'data-copy', 'data-step', 'aria-pressed', 'aria-label', 'aria-describedby'],
      li: ['class', 'data-step'],
      ol: ['start'],
      th: ['class', 'colspan', 'rowspan'],
      td: ['class', 'colspan', 'rowspan'],
      code: ['class'],
      details: ['open'],
      abbr: ['title'],
      time: ['datetime'],
    },
    allowedClasses: {
      code: ['language-*'],
      div: ['code-block', 'table-scroll'],
      button: ['copy-code', 'step-toggle'],
      li: ['step'],
      span: ['step-text'],
      th: ['align-left', 'align-center', 'align-right'],
      td: ['align-left', 'align-center', 'align-right'],
    },
    // tel: lets a responder call a vendor straight from the runbook on a phone.
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'action', 'formaction', 'xlink:href', 'poster', 'background'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    // Contents of these are code or markup, not prose: dropped with the tag.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'template', 'title', 'xmp', 'noembed', 'noframes', 'svg', 'math', 'select'],
    enforceHtmlBoundary: false,
    transformTags: {
      '*': (tagName, attribs) => {
        const trusted = attribs['data-cp'] === nonce
        const kept: sanitizeHtml.Attributes = {}
        for (const [name, value] of Object.entries(attribs)) {
          if (name === 'data-cp') continue
          if (!trusted && TRUSTED_ONLY_ATTRIBUTES.has(name) && !(name === 'class' && tagName === 'code')) continue
          kept[name] = value
        }
        // Hand-written buttons are already escaped as text; should one get here, it is left inert.
        if (tagName === 'button' && !trusted) return { tagName, attribs: { type: 'button' } }
        if (tagName === 'a') rewriteLink(kept, id, knownIds, warnings)
        if (tagName === 'img') kept.loading = 'lazy'
        return { tagName, attribs: kept }
      },
    },
  })
}

/**
 * Links to other runbooks (`other.md`, `./other.md#x`, `../dir/other.md`) become
 * app routes (`/runbooks/<id>#x`) so they open offline from the precache.
 * External http(s) links open in a new tab without access to this window.
 */
function rewriteLink(attribs: sanitizeHtml.Attributes, fromId: string, knownIds: ReadonlySet<string> | undefined, warnings: string[]): void {
  delete attribs.rel
  delete attribs.target
  const href = (attribs.href ?? '').trim()
  if (/^https?:\/\//i.test(href)) {
    attribs.rel = 'noopener noreferrer'
    attribs.target = '_blank'
    return
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/') || href.startsWith('#')) return
  const match = /^([^?#]*\.md)(?:\?[^#]*)?(#.*)?$/i.exec(href)
  if (!match) return
  let path: string
  try {
    path = decodeURIComponent(match[1] as string)
  } catch {
    return
  }
  const target = posix.normalize(posix.join(posix.dirname(fromId), path))
  const targetId = target.startsWith('../') || target === '..' ? null : runbookIdFromPath(target)
  if (!targetId) {
    warnings.push(`link "${href}" points outside the runbooks folder; left as is`)
    return
  }
  if (knownIds && !knownIds.has(targetId)) warnings.push(`link "${href}" points to a runbook that does not exist (${targetId})`)
  attribs.href = `/runbooks/${targetId}${match[2] ?? ''}`
}

/* ---------- text helpers ---------- */

/** GitHub-style slug (so `[x](#some-heading)` written for GitHub keeps working), made unique in the page. */
function uniqueSlug(text: string, used: Set<string>): string {
  const base =
    text
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .trim()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
      .slice(0, 80) || 'section'
  let slug = base
  for (let n = 1; used.has(slug); n++) slug = `${base}-${n}`
  used.add(slug)
  return slug
}

function plainInline(token: Token | undefined): string {
  if (!token || token.type !== 'inline') return ''
  let out = ''
  for (const child of token.children ?? []) {
    if (child.type === 'text' || child.type === 'code_inline') out += child.content
    else if (child.type === 'html_inline' && !startsWithKnownTag(child.content)) out += child.content
    else if (child.type === 'softbreak' || child.type === 'hardbreak') out += ' '
    else if (child.type === 'image') out += plainInline({ type: 'inline', children: child.children } as Token)
  }
  return out
}

function extractText(tokens: Token[], leadingH1: string): string {
  const parts: string[] = leadingH1 ? [leadingH1] : []
  let length = 0
  for (const token of tokens) {
    let part = ''
    if (token.type === 'inline') part = plainInline(token)
    else if (token.type === 'fence' || token.type === 'code_block') part = token.content
    else if (token.type === 'html_block') part = token.content.replace(/<[^>]*>/g, ' ')
    part = part.replace(/\s+/g, ' ').trim()
    if (!part) continue
    parts.push(part)
    length += part.length + 1
    if (length > MAX_TEXT_CHARS) break
  }
  return parts.join('\n').slice(0, MAX_TEXT_CHARS)
}

function firstParagraph(tokens: Token[]): string {
  const index = tokens.findIndex((t, i) => t.type === 'paragraph_open' && t.level === 0 && tokens[i + 1]?.type === 'inline')
  return index === -1 ? '' : clean(plainInline(tokens[index + 1]), MAX_SUMMARY)
}

/** Collapses whitespace and cuts at a word boundary with an ellipsis. */
function clean(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= max) return flat
  const cut = flat.slice(0, max - 1)
  const space = cut.lastIndexOf(' ')
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`
}

function comparable(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')
}

function scalar(value: FrontMatterValue | undefined): string {
  if (value === undefined) return ''
  return Array.isArray(value) ? value.join(', ') : value
}

function titleFromFileName(fileId: string): string {
  const segments = fileId.replace(/\\/g, '/').replace(/\.md$/i, '').split('/').filter(Boolean)
  let name = segments.pop() ?? 'runbook'
  // Hugo section pages are called _index.md: the folder names them.
  if (name === '_index' || name === 'index') name = segments.pop() ?? name
  const words = name.replace(/[-_]+/g, ' ').trim() || 'Runbook'
  return words.charAt(0).toUpperCase() + words.slice(1)
}

function parseTags(value: FrontMatterValue | undefined): string[] {
  const raw = value === undefined ? [] : Array.isArray(value) ? value : value.split(',')
  const seen = new Set<string>()
  const tags: string[] = []
  for (const item of raw) {
    const tag = clean(item, MAX_TAG)
    if (!tag || seen.has(tag.toLowerCase())) continue
    seen.add(tag.toLowerCase())
    tags.push(tag)
  }
  return tags.slice(0, MAX_TAGS)
}

function parseUpdated(value: string, warnings: string[]): string | null {
  if (!value) return null
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(value.trim())
  if (match) {
    const [, y, m, d] = match.map(Number) as [number, number, number, number]
    const date = new Date(Date.UTC(y, m - 1, d))
    if (date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d) return `${match[1]}-${match[2]}-${match[3]}`
  }
  warnings.push(`"updated: ${value}" is not a date (YYYY-MM-DD); ignored`)
  return null
}

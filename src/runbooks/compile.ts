/**
 * Compiles one runbook (Markdown with front matter) into the page the app shows
 * offline: sanitised HTML, table of contents, task steps, plain text for search.
 *
 * Runs in Node (the build, build/runbooks) and in the browser (the editor's
 * preview compiles with this very module), so it uses no Node API.
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
import MarkdownIt from 'markdown-it'
import type { StateCore, Token } from 'markdown-it'
import sanitizeHtml from 'sanitize-html'
import { runbookIdFromPath } from './ids'
import { domainLikeNames, useStrictLinkify } from './linkify'
import { parseParameters, PLACEHOLDER, type RunbookParameter } from './parameters'
import { reviewDates } from './review'
import type { CompiledRunbook, RunbookHeading, RunbookStep } from './types'
import { parseFrontMatter, type FrontMatterValue } from './front-matter'

/** Search text per runbook; enough for any real runbook, bounded for a pathological one. */
export const MAX_TEXT_CHARS = 20_000
const MAX_TITLE = 200
const MAX_SUMMARY = 300
const MAX_STEP_TEXT = 500
const MAX_TAGS = 20
const MAX_TAG = 40
const MAX_VERSION = 40

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
  /** Declared parameter names: `{{name}}` is marked for filling only when the runbook declares any. */
  parameters: ReadonlySet<string>
  /** Every `{{name}}` used in text or code, in order of first use. */
  placeholders: Set<string>
  /** Bare names that look like web addresses and were not linked. */
  domainLike: Set<string>
}

// Tags an author may write as raw HTML. Everything else is escaped and shown as typed.
const AUTHOR_TAGS = new Set([
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'br',
  'hr',
  'blockquote',
  'pre',
  'code',
  'kbd',
  'samp',
  'var',
  'em',
  'strong',
  'b',
  'i',
  'u',
  's',
  'del',
  'ins',
  'small',
  'sub',
  'sup',
  'mark',
  'abbr',
  'q',
  'cite',
  'time',
  'a',
  'img',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'table',
  'caption',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'th',
  'td',
  'details',
  'summary',
  'figure',
  'figcaption',
  'div',
  'span',
])

// Attributes only the compiler may set (checked by nonce); stripped from hand-written HTML.
const TRUSTED_ONLY_ATTRIBUTES = new Set([
  'id',
  'class',
  'type',
  'tabindex',
  'role',
  'aria-label',
  'aria-pressed',
  'aria-describedby',
  'data-step',
  'data-copy',
  'data-param',
  'data-bare',
])

const md = new MarkdownIt({ html: true, linkify: true, typographer: false })
useStrictLinkify(md.linkify)
md.core.ruler.after('inline', 'command_post_structure', structureRule)
// After linkify, so an address is linked before its text is looked at; before text_join, so `\{{x}}` (an escape) stays apart.
md.core.ruler.after('linkify', 'command_post_text', textRule)
installRenderers(md)

/**
 * Compiles one runbook. `fileId` is its path under the runbooks folder (the id
 * is made from it). Never throws for bad content: problems come back in
 * `warnings` (shown, the runbook still builds) and `errors` (the runbook must
 * not be published: the build fails, the editor refuses it). Throws only when
 * `fileId` cannot be an id.
 */
export function compileRunbook(source: string, fileId: string, options: CompileOptions = {}): CompiledRunbook {
  const id = runbookIdFromPath(fileId)
  if (!id) throw new Error(`cannot make a runbook id from "${fileId}"`)
  const warnings: string[] = []
  const errors: string[] = []
  const front = parseFrontMatter(source)
  warnings.push(...front.warnings)
  const declared = parseParameters(front.maps?.parameters ?? front.data.parameters)
  warnings.push(...declared.warnings)

  const env: CompileEnv = {
    nonce: nonce(),
    usedIds: new Set(),
    headings: [],
    steps: [],
    tableCount: 0,
    tablesSeen: 0,
    parameters: new Set(declared.parameters.map((p) => p.name)),
    placeholders: new Set(),
    domainLike: new Set(),
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

  const summary =
    clean(scalar(front.data.summary) || scalar(front.data.description), MAX_SUMMARY) || firstParagraph(tokens)
  const updated = parseDate('updated', scalar(front.data.updated) || scalar(front.data.lastmod), warnings)
  const review = reviewDates({
    reviewed: parseDate('reviewed', scalar(front.data.reviewed), warnings),
    reviewBy: parseDate('review-by', scalar(front.data['review-by']), warnings),
    updated,
  })
  for (const near of ['review_by', 'reviewBy', 'reviewby', 'last-reviewed', 'last_reviewed', 'lastReviewed']) {
    if (front.data[near] !== undefined)
      warnings.push(
        `"${near}" is not read; did you mean "${near.toLowerCase().includes('last') ? 'reviewed' : 'review-by'}"?`,
      )
  }
  checkParameters(declared.parameters, env, warnings, errors)
  if (env.domainLike.size > 0) {
    const names = [...env.domainLike]
    const listed =
      names
        .slice(0, 5)
        .map((n) => `"${n}"`)
        .join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '')
    warnings.push(
      `${listed} ${names.length === 1 ? 'looks like a web address but is' : 'look like web addresses but are'} not linked: write https://… (or www.…) to link one, or put file names in \`backticks\``,
    )
  }

  return {
    id,
    title,
    summary,
    tags: parseTags(front.data.tags),
    updated,
    reviewed: review.reviewed,
    reviewBy: review.reviewBy,
    version: clean(scalar(front.data.version), MAX_VERSION) || fingerprint(source),
    stepCount: env.steps.length,
    html,
    toc: env.headings.filter((h) => h.level === 2 || h.level === 3),
    steps: env.steps,
    parameters: declared.parameters,
    headings: env.headings,
    text,
    warnings,
    errors,
  }
}

/**
 * A runbook that declares parameters must declare every one it uses: a typo
 * (`{{swtich_ip}}`) would otherwise print a command nobody can run. One that
 * declares none keeps `{{word}}` as written (Go and Jinja templates in code
 * samples), with a warning in case a declaration was forgotten.
 */
function checkParameters(
  parameters: readonly RunbookParameter[],
  env: CompileEnv,
  warnings: string[],
  errors: string[],
): void {
  const used = [...env.placeholders]
  if (parameters.length === 0) {
    if (used.length > 0)
      warnings.push(
        `${used.map((n) => `{{${n}}}`).join(', ')} ${used.length === 1 ? 'looks like a parameter' : 'look like parameters'}, but the runbook declares none, so ${used.length === 1 ? 'it is' : 'they are'} shown as written; declare ${used.length === 1 ? 'it' : 'them'} under "parameters:" to have ${used.length === 1 ? 'it' : 'them'} filled in`,
      )
    return
  }
  for (const name of used)
    if (!env.parameters.has(name))
      errors.push(`parameter {{${name}}} is used but not declared under "parameters:" in the front matter`)
  for (const parameter of parameters)
    if (!env.placeholders.has(parameter.name))
      warnings.push(`parameter "${parameter.name}" is declared but never used as {{${parameter.name}}}`)
}

/* ---------- markdown-it rules ---------- */

/** Core rule: task steps, heading ids, table cell alignment; runs once the inline content is parsed. */
function structureRule(state: StateCore): void {
  const env = state.env as CompileEnv
  const tokens = state.tokens
  // Steps first, so heading slugs never collide with the step ids.
  const stepIds = new Set<string>()
  let section = ''
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token
    if (token.type === 'heading_open' && token.tag !== 'h1') section = plainInline(tokens[i + 1])
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
    const text = clean(plainInline(inline), MAX_STEP_TEXT)
    env.steps.push({ index, id: stepId(section, text, stepIds), text, checked })
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

/**
 * Core rule over the inline text: marks `{{name}}` uses for filling (when the
 * runbook declares parameters) and notes bare names that look like web
 * addresses, outside links. Code is handled by its renderers.
 */
function textRule(state: StateCore): void {
  const env = state.env as CompileEnv
  for (const block of state.tokens) {
    if (block.type === 'fence' || block.type === 'code_block') notePlaceholders(block.content, env)
    if (block.type !== 'inline' || !block.children) continue
    const children: Token[] = []
    let linkLevel = 0
    for (const child of block.children) {
      // A link whose text is its address (linkified or `<https://…>`): printing adds no second copy of it.
      if (child.type === 'link_open' && (child.markup === 'linkify' || child.markup === 'autolink')) {
        child.attrSet('data-bare', '')
        child.attrSet('data-cp', env.nonce)
      }
      if (child.type === 'link_open' || (child.type === 'html_inline' && /^<a[>\s]/i.test(child.content))) linkLevel++
      else if (child.type === 'link_close' || (child.type === 'html_inline' && /^<\/a\s*>/i.test(child.content)))
        linkLevel--
      else if (child.type === 'code_inline') notePlaceholders(child.content, env)
      if (child.type !== 'text') {
        children.push(child)
        continue
      }
      if (linkLevel <= 0) for (const name of domainLikeNames(child.content)) env.domainLike.add(name)
      children.push(...splitPlaceholders(child, state, env))
    }
    block.children = children
  }
}

/** A text token with `{{name}}` in it, as text and `cp_param` tokens; unchanged when the runbook declares no parameters. */
function splitPlaceholders(token: Token, state: StateCore, env: CompileEnv): Token[] {
  const matches = [...token.content.matchAll(PLACEHOLDER)]
  if (matches.length === 0) return [token]
  for (const match of matches) env.placeholders.add(match[1] as string)
  if (env.parameters.size === 0) return [token]
  const parts: Token[] = []
  const text = (content: string) => {
    if (content === '') return
    const part = new state.Token('text', '', 0)
    part.content = content
    part.level = token.level
    parts.push(part)
  }
  let last = 0
  for (const match of matches) {
    text(token.content.slice(last, match.index))
    const param = new state.Token('cp_param', 'span', 0)
    param.meta = { name: match[1] }
    param.level = token.level
    parts.push(param)
    last = match.index + match[0].length
  }
  text(token.content.slice(last))
  return parts
}

// In code, `\{{name}}` shows `{{name}}` as written (a template in a runbook that also has parameters).
const CODE_PLACEHOLDER = /(\\?)\{\{[ \t]*([A-Za-z_][A-Za-z0-9_]{0,39})[ \t]*\}\}/g

function notePlaceholders(code: string, env: CompileEnv): void {
  for (const match of code.matchAll(CODE_PLACEHOLDER)) if (!match[1]) env.placeholders.add(match[2] as string)
}

function paramMarkup(name: string, nonce: string): string {
  // Same attributes, in the same order, as placeholderHtml once the sanitiser has dropped data-cp.
  return `<span class="param" data-param="${name}" data-cp="${nonce}">{{${name}}}</span>`
}

/** Marks the parameters in rendered code (`<code …>escaped text</code>`), leaving the tag's own attributes alone. */
function markCodeParameters(html: string, env: CompileEnv): string {
  if (env.parameters.size === 0) return html
  const open = html.indexOf('<code')
  const contentStart = open === -1 ? 0 : html.indexOf('>', open) + 1
  return (
    html.slice(0, contentStart) +
    html
      .slice(contentStart)
      .replace(CODE_PLACEHOLDER, (whole, escape: string, name: string) =>
        escape ? whole.slice(1) : paramMarkup(name, env.nonce),
      )
  )
}

function installRenderers(markdown: MarkdownIt): void {
  const rules = markdown.renderer.rules

  rules.cp_param = (tokens, idx, _options, env: CompileEnv) =>
    paramMarkup((tokens[idx]?.meta as { name: string }).name, env.nonce)

  rules.cp_step_toggle = (tokens, idx, _options, env: CompileEnv) => {
    const { index, checked, textId } = tokens[idx]?.meta as { index: number; checked: boolean; textId: string }
    return `<button type="button" class="step-toggle" data-step="${index}" aria-pressed="${checked}" aria-label="Step ${index + 1} done" aria-describedby="${textId}" data-cp="${env.nonce}">Done</button> `
  }
  rules.cp_step_text_open = (tokens, idx, _options, env: CompileEnv) =>
    `<span class="step-text" id="${(tokens[idx]?.meta as { textId: string }).textId}" data-cp="${env.nonce}">`
  rules.cp_step_text_close = () => '</span>'

  // A long line scrolls the <pre> sideways: keyboard users must be able to focus it to scroll (axe scrollable-region-focusable).
  const focusablePre = (inner: string, nonce: string) =>
    inner.replace(/^<pre>/, `<pre tabindex="0" data-cp="${nonce}">`)
  const wrapCode = (inner: string, nonce: string) =>
    `<div class="code-block" data-cp="${nonce}"><button type="button" class="copy-code" data-copy aria-label="Copy code" data-cp="${nonce}">Copy</button>${focusablePre(inner.trimEnd(), nonce)}</div>\n`
  const fence = rules.fence
  const codeBlock = rules.code_block
  const codeInline = rules.code_inline
  rules.fence = (tokens, idx, options, env: CompileEnv, self) =>
    wrapCode(markCodeParameters(fence ? fence(tokens, idx, options, env, self) : '', env), env.nonce)
  rules.code_block = (tokens, idx, options, env: CompileEnv, self) =>
    wrapCode(markCodeParameters(codeBlock ? codeBlock(tokens, idx, options, env, self) : '', env), env.nonce)
  rules.code_inline = (tokens, idx, options, env: CompileEnv, self) =>
    markCodeParameters(codeInline ? codeInline(tokens, idx, options, env, self) : '', env)

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
  return raw.replace(TAG_START, (whole, slash: string, name: string) =>
    AUTHOR_TAGS.has(name.toLowerCase()) ? whole : `&lt;${slash}${name}`,
  )
}

function startsWithKnownTag(raw: string): boolean {
  if (raw.startsWith('<!--')) return true
  const name = /^<\/?([A-Za-z][A-Za-z0-9-]*)/.exec(raw)?.[1]
  return name !== undefined && AUTHOR_TAGS.has(name.toLowerCase())
}

/* ---------- sanitising ---------- */

function sanitize(
  html: string,
  nonce: string,
  id: string,
  knownIds: ReadonlySet<string> | undefined,
  warnings: string[],
): string {
  return sanitizeHtml(html, {
    allowedTags: [...AUTHOR_TAGS, 'button'],
    allowedAttributes: {
      a: ['href', 'title', 'rel', 'target', 'data-bare'],
      img: ['src', 'alt', 'title', 'width', 'height', 'loading'],
      h1: ['id'],
      h2: ['id'],
      h3: ['id'],
      h4: ['id'],
      h5: ['id'],
      h6: ['id'],
      span: ['id', 'class', 'data-param'],
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
      span: ['step-text', 'param'],
      th: ['align-left', 'align-center', 'align-right'],
      td: ['align-left', 'align-center', 'align-right'],
    },
    // tel: lets a responder call a vendor straight from the runbook on a phone.
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowedSchemesAppliedToAttributes: [
      'href',
      'src',
      'cite',
      'action',
      'formaction',
      'xlink:href',
      'poster',
      'background',
    ],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    // Contents of these are code or markup, not prose: dropped with the tag.
    nonTextTags: [
      'script',
      'style',
      'textarea',
      'option',
      'noscript',
      'iframe',
      'object',
      'embed',
      'template',
      'title',
      'xmp',
      'noembed',
      'noframes',
      'svg',
      'math',
      'select',
    ],
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
function rewriteLink(
  attribs: sanitizeHtml.Attributes,
  fromId: string,
  knownIds: ReadonlySet<string> | undefined,
  warnings: string[],
): void {
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
  const target = resolveRelative(fromId, path)
  const targetId = target === null ? null : runbookIdFromPath(target)
  if (!targetId) {
    warnings.push(`link "${href}" points outside the runbooks folder; left as is`)
    return
  }
  if (knownIds && !knownIds.has(targetId))
    warnings.push(`link "${href}" points to a runbook that does not exist (${targetId})`)
  attribs.href = `/runbooks/${targetId}${match[2] ?? ''}`
}

/** `path` relative to the folder of runbook `fromId` (`a/b` + `../c.md` → `c.md`); null when it climbs out of the runbooks folder. */
function resolveRelative(fromId: string, path: string): string | null {
  const parts = fromId.split('/').slice(0, -1)
  for (const segment of path.replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment !== '..') parts.push(segment)
    else if (parts.pop() === undefined) return null
  }
  return parts.join('/')
}

/* ---------- text helpers ---------- */

/** A per-compile secret marking the compiler's own markup (Web Crypto: in Node and in the browser alike). */
function nonce(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * A short fingerprint of the source (8 hex digits, cyrb53), the runbook's
 * version when its front matter names none: two printouts of the same text
 * carry the same one. Not a security hash.
 */
export function fingerprint(source: string): string {
  const text = source.replace(/\r\n?/g, '\n').normalize('NFC')
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0').slice(0, 8)
}

/**
 * A step's stable id (`RunbookStep.id`, the `stepId` of a log entry's runbook
 * reference): the slug of its section heading (the nearest level 2–6 heading
 * above it; none before the first: the title is not a section) and the slug of its text, joined by `/`
 * (`power/check-the-ups-lights`); a repeat in the same runbook gets `-2`,
 * `-3`… in document order. Editing other steps, adding steps or moving a
 * section keeps it; rewording the step or renaming its section changes it.
 */
export function stepId(section: string, text: string, used: Set<string>): string {
  const slug = (value: string) =>
    value
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '')
  const base = [slug(section), slug(text) || 'step'].filter(Boolean).join('/')
  let id = base
  for (let n = 2; used.has(id); n++) id = `${base}-${n}`
  used.add(id)
  return id
}

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
    else if (child.type === 'cp_param') out += `{{${(child.meta as { name: string }).name}}}`
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
  const index = tokens.findIndex(
    (t, i) => t.type === 'paragraph_open' && t.level === 0 && tokens[i + 1]?.type === 'inline',
  )
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

/** A front matter date (`key: YYYY-MM-DD`, a time after it is ignored), or null with a warning when it is not a real day. */
function parseDate(key: string, value: string, warnings: string[]): string | null {
  if (!value) return null
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(value.trim())
  if (match) {
    const [, y, m, d] = match.map(Number) as [number, number, number, number]
    const date = new Date(Date.UTC(y, m - 1, d))
    if (date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d)
      return `${match[1]}-${match[2]}-${match[3]}`
  }
  warnings.push(`"${key}: ${value}" is not a date (YYYY-MM-DD); ignored`)
  return null
}

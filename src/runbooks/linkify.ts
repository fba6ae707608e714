/**
 * Which text in a runbook becomes a link by itself ("linkify"). Runbooks name
 * files all the time (`backup.sh`, `README.md`, `restore.py`), and `.sh`, `.md`
 * and `.py` are country domains: markdown-it's default fuzzy linking turns them
 * into `http://backup.sh/` links that open a stranger's site in a new tab. So
 * only text that says it is an address becomes one: `http://`, `https://`,
 * `www.` and `mailto:`. A bare name that the fuzzy rules would have linked is
 * reported instead (a build warning, and the editor's), so an author who meant
 * a link can write it out.
 */
import MarkdownIt from 'markdown-it'

/** The slice of linkify-it's API used here (markdown-it's `md.linkify`). */
type Linkify = MarkdownIt['linkify']

/** A host name after `www.`: dot-separated labels ending in a letters-only top-level label, then port and path. */
const WWW_TAIL =
  /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}(?::\d{1,5})?(?:[/?#][^\s<>"'`]*)?/u
/** Sentence punctuation after a link belongs to the sentence: "see www.example.org." */
const TRAILING_PUNCTUATION = /[.,;:!?'")\]}]+$/

/**
 * Makes a markdown-it instance's linkify strict: no fuzzy links or e-mail
 * addresses, no `ftp:` or protocol-relative `//host`, and `www.host` linked
 * to `https://www.host`. Explicit `[text](target)` links are not affected.
 */
export function useStrictLinkify(linkify: Linkify): void {
  linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false })
  linkify.add('ftp:', null)
  linkify.add('//', null)
  linkify.add('www.', {
    validate: (text, pos) => {
      const tail = WWW_TAIL.exec(text.slice(pos))?.[0] ?? ''
      return tail.replace(TRAILING_PUNCTUATION, '').length
    },
    normalize: (match) => {
      match.url = `https://${match.url}`
    },
  })
}

// markdown-it's own defaults: what an author's old wiki or GitHub preview might have linked.
const fuzzy = new MarkdownIt({ linkify: true }).linkify

/**
 * Bare names in `text` that look like a web address (`backup.sh`, `notes.md`,
 * `intranet.example.org`) and are therefore *not* linked; empty when none.
 * Addresses written with `http(s)://`, `www.` or `mailto:` are not listed:
 * they are links.
 */
export function domainLikeNames(text: string): string[] {
  if (!fuzzy.pretest(text)) return []
  const names: string[] = []
  for (const match of fuzzy.match(text) ?? []) {
    // schema '' is a fuzzy link; an address with a scheme (or a fuzzy e-mail) says what it is.
    if (match.schema !== '' || /^www\./i.test(match.raw)) continue
    names.push(match.raw)
  }
  return names
}

/**
 * Counted words through `Intl.PluralRules`, so "1 runbook" and "2 runbooks"
 * (and any language with more forms) come from one rule, never `n > 1 ? 's' : ''`
 * (which says "0 runbook" and cannot be translated).
 */

/** The forms of a counted word; `other` is required, the rest fall back to it. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }

const rules = new Map<string, Intl.PluralRules>()

function rulesFor(locale: string): Intl.PluralRules {
  let r = rules.get(locale)
  if (!r) {
    r = new Intl.PluralRules(locale)
    rules.set(locale, r)
  }
  return r
}

/**
 * The form of `forms` that `count` takes in `locale` (English by default: the
 * app's words are English). `count` is a whole number of things, 0 or more.
 */
export function pluralForm(count: number, forms: PluralForms, locale = 'en'): string {
  return forms[rulesFor(locale).select(count)] ?? forms.other
}

/**
 * `count` and its word, e.g. `counted(1, 'runbook', 'runbooks')` → "1 runbook",
 * `counted(3, 'open task', 'open tasks')` → "3 open tasks".
 */
export function counted(count: number, one: string, other: string, locale = 'en'): string {
  return `${count} ${pluralForm(count, { one, other }, locale)}`
}

/**
 * Runbook parameters: values a runbook asks for once (`campus`, `switch_ip`,
 * `vlan`) and uses as `{{switch_ip}}` in its text and code. The compiler
 * (compile.ts) reads the declarations and marks every use in the HTML; the
 * phone fills the marks with what the responder typed for the incident. Pure
 * functions on strings: no DOM, no Markdown parser, so the runbook page can
 * use them without loading the compiler.
 */

/** One declared parameter, as the front matter gives it. */
export interface RunbookParameter {
  /** `[A-Za-z_][A-Za-z0-9_]*`, at most 40 characters: written `{{name}}` in the runbook. */
  name: string
  /** What to type, for the person filling it in; may be empty. */
  description: string
  /** When not empty, the only values allowed (the phone offers a choice). */
  values: string[]
}

/** Values typed for an incident, by parameter name. Empty strings are not kept. */
export type ParameterValues = Readonly<Record<string, string>>

export const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/
/** At most this many parameters per runbook, and characters per value (a host, a port, a VLAN, a campus). */
export const MAX_PARAMETERS = 20
export const MAX_PARAMETER_VALUE = 200
const MAX_DESCRIPTION = 300
const MAX_ALLOWED_VALUES = 50

/**
 * A use in text: `{{name}}` or `{{ name }}`. Hugo shortcodes (`{{< … >}}`),
 * Go templates (`{{ .Values.x }}`, `{{range .items}}`) and Prometheus labels
 * (`{{ $labels.instance }}`) never match: only a bare identifier does.
 */
export const PLACEHOLDER = /\{\{[ \t]*([A-Za-z_][A-Za-z0-9_]{0,39})[ \t]*\}\}/g

/** The element the compiler puts where a parameter is used; `fillParameters` finds it by this exact form. */
export function placeholderHtml(name: string): string {
  return `<span class="param" data-param="${name}">{{${name}}}</span>`
}

// What the sanitiser gives back for placeholderHtml (attributes in the order written, text escaped).
const PLACEHOLDER_HTML =
  /<span class="param" data-param="([A-Za-z_][A-Za-z0-9_]{0,39})">\{\{[A-Za-z_][A-Za-z0-9_]{0,39}\}\}<\/span>/g

/** Names used in `text` as `{{name}}`, in order of first use. */
export function placeholdersIn(text: string): string[] {
  const names = new Set<string>()
  for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1] as string)
  return [...names]
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string)

/**
 * The compiled HTML with every parameter filled in: a filled one shows its
 * value (marked `data-filled`, so it can be styled and printed as typed-in),
 * an empty one keeps showing `{{name}}` (marked `data-empty`). Values are
 * escaped: whatever a responder types stays text.
 */
export function fillParameters(html: string, values: ParameterValues): string {
  return html.replace(PLACEHOLDER_HTML, (_whole, name: string) => {
    const value = valueOf(values, name)
    return value === ''
      ? `<span class="param" data-param="${name}" data-empty="">{{${name}}}</span>`
      : `<span class="param" data-param="${name}" data-filled="">${escapeHtml(value)}</span>`
  })
}

/** Plain text (a step's text for the log) with the filled parameters put in; empty ones stay `{{name}}`. */
export function fillText(text: string, values: ParameterValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => valueOf(values, name) || whole)
}

/**
 * What to record with a ticked step: the runbook's declared parameters that
 * have a value (trimmed, allowed, bounded), or undefined when none has.
 */
export function recordedValues(
  parameters: readonly RunbookParameter[],
  values: ParameterValues,
): Record<string, string> | undefined {
  const out: Record<string, string> = {}
  for (const parameter of parameters.slice(0, MAX_PARAMETERS)) {
    const value = valueOf(values, parameter.name)
    if (value === '' || (parameter.values.length > 0 && !parameter.values.includes(value))) continue
    out[parameter.name] = value
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** The parameters still without a usable value, in declaration order. */
export function missingParameters(parameters: readonly RunbookParameter[], values: ParameterValues): string[] {
  const recorded = recordedValues(parameters, values) ?? {}
  return parameters.filter((p) => !(p.name in recorded)).map((p) => p.name)
}

function valueOf(values: ParameterValues, name: string): string {
  const value = Object.hasOwn(values, name) ? values[name] : undefined
  return typeof value === 'string' ? value.trim().slice(0, MAX_PARAMETER_VALUE) : ''
}

/**
 * Reads the `parameters` front matter, in either form:
 *
 * ```yaml
 * parameters:
 *   switch_ip: Management address of the switch
 *   campus:
 *     description: Which campus
 *     values: [North, South]
 * ```
 *
 * or a list of `{ name, description, values }`, or a list of names alone
 * (`[switch_ip, vlan]`). Never throws: a bad entry is skipped with a warning naming it.
 */
export function parseParameters(raw: unknown): { parameters: RunbookParameter[]; warnings: string[] } {
  const warnings: string[] = []
  const entries: [string, unknown][] = []
  if (Array.isArray(raw)) {
    for (const item of raw) {
      // `parameters: [switch_ip, vlan]`: names alone, no description.
      const name = typeof item === 'string' ? item : isRecord(item) && typeof item.name === 'string' ? item.name : ''
      if (!name) warnings.push('parameters: an entry has no "name"; skipped')
      else entries.push([name, typeof item === 'string' ? '' : item])
    }
  } else if (isRecord(raw)) {
    entries.push(...Object.entries(raw))
  } else if (raw !== undefined) {
    warnings.push('parameters: must be a list of names with descriptions (see the README); ignored')
  }

  const parameters: RunbookParameter[] = []
  for (const [name, spec] of entries) {
    if (!PARAMETER_NAME.test(name)) {
      warnings.push(
        `parameters: "${name}" is not a parameter name (letters, digits and _, not starting with a digit); skipped`,
      )
      continue
    }
    if (parameters.some((p) => p.name === name)) {
      warnings.push(`parameters: "${name}" is declared twice; the first is kept`)
      continue
    }
    if (parameters.length === MAX_PARAMETERS) {
      warnings.push(`parameters: more than ${MAX_PARAMETERS}; "${name}" and the rest are skipped`)
      break
    }
    const description =
      typeof spec === 'string' ? spec : isRecord(spec) && typeof spec.description === 'string' ? spec.description : ''
    const rawValues = isRecord(spec) ? spec.values : undefined
    const values = Array.isArray(rawValues)
      ? [...new Set(rawValues.filter((v): v is string => typeof v === 'string').map((v) => v.trim()))].filter(
          (v) => v !== '' && v.length <= MAX_PARAMETER_VALUE,
        )
      : []
    if (rawValues !== undefined && !Array.isArray(rawValues))
      warnings.push(`parameters: "${name}" values must be a list; ignored`)
    parameters.push({
      name,
      description: description.replace(/\s+/g, ' ').trim().slice(0, MAX_DESCRIPTION),
      values: values.slice(0, MAX_ALLOWED_VALUES),
    })
  }
  return { parameters, warnings }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Times as a responder reads them: relative while recent, clock time in the log. */
export function formatAgo(iso: string, now: number): string {
  const minutes = Math.round((now - Date.parse(iso)) / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  return new Date(iso).toLocaleDateString()
}

// One formatter for the page's life: toLocaleTimeString builds a new one per
// call (~1 ms each), which a 10,000-entry timeline cannot afford. Created on
// first use so a locale set before then is honoured.
let clockFormat: Intl.DateTimeFormat | null = null

export function formatClock(iso: string): string {
  clockFormat ??= new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' })
  return clockFormat.format(new Date(iso))
}

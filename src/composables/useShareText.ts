export interface UseShareText {
  /** Web Share API present (most phones): the system share sheet. */
  canShare: boolean
  share(title: string, text: string): Promise<'shared' | 'cancelled' | 'failed'>
  /** Resolves false when the clipboard is blocked (then select the text by hand). */
  copy(text: string): Promise<boolean>
  /** Save text as a file (a Markdown export). */
  download(fileName: string, text: string, type?: string): void
  mailtoHref(subject: string, body: string): string
}

/**
 * Ways to get text out of the app to the people who need it, feature-detected.
 * Not VueUse's useClipboard: it falls back to execCommand and reports success
 * either way, and `copy` must say when the user has to select the text by hand.
 */
export function useShareText(): UseShareText {
  const canShare = typeof navigator !== 'undefined' && typeof navigator.share === 'function'

  async function share(title: string, text: string): Promise<'shared' | 'cancelled' | 'failed'> {
    if (!canShare) return 'failed'
    try {
      await navigator.share({ title, text })
      return 'shared'
    } catch (error) {
      return (error as Error).name === 'AbortError' ? 'cancelled' : 'failed'
    }
  }

  async function copy(text: string): Promise<boolean> {
    try {
      await navigator.clipboard.writeText(text)
      return true
    } catch {
      return false
    }
  }

  function download(fileName: string, text: string, type = 'text/markdown;charset=utf-8'): void {
    const url = URL.createObjectURL(new Blob([text], { type }))
    const link = document.createElement('a')
    link.href = url
    link.download = fileName
    document.body.append(link)
    link.click()
    link.remove()
    // Revoke later: the browser starts the download after the click handler returns, and a busy phone can take
    // longer than a few seconds to (a revoked URL downloads nothing). FileSaver.js waits 40 s; a minute here.
    setTimeout(() => URL.revokeObjectURL(url), 60_000)
  }

  function mailtoHref(subject: string, body: string): string {
    return `mailto:?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`
  }

  return { canShare, share, copy, download, mailtoHref }
}

import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { usePersistenceStore } from './persistence'

/** Chromium's install prompt event (not in TypeScript's DOM library). */
export interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed'; platform: string }>
}

export type InstallOutcome = 'accepted' | 'dismissed' | 'unavailable'

/** iPhone and iPad (iPadOS reports itself as a Mac with a touch screen): no install prompt there, only Share → Add to Home Screen. */
export function isIos(nav: Pick<Navigator, 'userAgent' | 'maxTouchPoints'> & { platform?: string }): boolean {
  return /iPad|iPhone|iPod/.test(nav.userAgent) || (nav.platform === 'MacIntel' && nav.maxTouchPoints > 1)
}

/**
 * Chromium fires `beforeinstallprompt` once per page load, 0.3–2 s in: often
 * before the app has mounted (boot waits for IndexedDB first). So this module
 * starts listening as soon as it is imported (main.ts → App.vue → here, before
 * boot's first await) and holds the event until the store starts.
 */
let early: BeforeInstallPromptEvent | null = null
if (typeof window !== 'undefined') {
  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault()
    early = event as BeforeInstallPromptEvent
  })
}

/**
 * Whether the app can be installed here, and the command that installs it.
 * The prompt event is kept so a button shown later (Settings, the empty
 * incidents list) can still use it.
 */
export const useInstallStore = defineStore('install', () => {
  const promptEvent = shallowRef<BeforeInstallPromptEvent | null>(null)
  /** Running from the home screen (or as a desktop app window). */
  const standalone = ref(false)
  /** `appinstalled` fired during this visit. */
  const installed = ref(false)
  const ios = ref(false)
  const cleanups: (() => void)[] = []

  const canInstall = computed(() => promptEvent.value !== null && !standalone.value && !installed.value)
  const showIosHint = computed(() => ios.value && !standalone.value)

  function start(): void {
    if (cleanups.length || typeof window === 'undefined') return
    ios.value = isIos(navigator)
    const media = typeof window.matchMedia === 'function' ? window.matchMedia('(display-mode: standalone)') : null
    const readStandalone = () => {
      standalone.value = !!media?.matches || (navigator as Navigator & { standalone?: boolean }).standalone === true
    }
    readStandalone()
    promptEvent.value = early
    const onPrompt = (event: Event) => {
      // Keep Chromium's mini-infobar away; the app offers its own button where it fits.
      event.preventDefault()
      promptEvent.value = event as BeforeInstallPromptEvent
      early = null
    }
    const onInstalled = () => {
      promptEvent.value = null
      early = null
      installed.value = true
      // An installed app is worth keeping: the moment to ask the browser not to evict it.
      void usePersistenceStore().request()
    }
    window.addEventListener('beforeinstallprompt', onPrompt)
    window.addEventListener('appinstalled', onInstalled)
    media?.addEventListener('change', readStandalone)
    cleanups.push(() => {
      window.removeEventListener('beforeinstallprompt', onPrompt)
      window.removeEventListener('appinstalled', onInstalled)
      media?.removeEventListener('change', readStandalone)
    })
    // Launched from the home screen: it was installed, maybe on a visit before this feature.
    if (standalone.value) void usePersistenceStore().request()
  }

  function stop(): void {
    for (const c of cleanups.splice(0)) c()
  }

  /** Show the browser's install dialog; a prompt event can be used once. */
  async function install(): Promise<InstallOutcome> {
    const event = promptEvent.value
    if (!event) return 'unavailable'
    promptEvent.value = null
    early = null
    await event.prompt()
    const choice = await event.userChoice
    return choice.outcome
  }

  return { promptEvent, standalone, installed, ios, canInstall, showIosHint, start, stop, install }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useInstallStore, import.meta.hot))

import { computed, ref, type ComputedRef, type Ref } from 'vue'

const ASKED_KEY = 'command-post:reminders-asked'

export interface UseNotificationPermission {
  isSupported: boolean
  permission: Ref<NotificationPermission | 'unsupported'>
  /** Not asked yet: the browser would show its prompt. */
  canAsk: ComputedRef<boolean>
  /** Whether this phone already asked once (asked means: never again unprompted). */
  askedBefore(): boolean
  /** Ask the browser; call from a tap where possible (browsers may ignore other calls). */
  request(): Promise<NotificationPermission | 'unsupported'>
}

/** Permission for local notifications (update reminders), feature-detected. */
export function useNotificationPermission(): UseNotificationPermission {
  const isSupported = typeof window !== 'undefined' && 'Notification' in window
  const permission = ref<NotificationPermission | 'unsupported'>(isSupported ? Notification.permission : 'unsupported')
  const canAsk = computed(() => permission.value === 'default')

  function askedBefore(): boolean {
    try {
      return localStorage.getItem(ASKED_KEY) === '1'
    } catch {
      return false
    }
  }

  async function request(): Promise<NotificationPermission | 'unsupported'> {
    if (!isSupported) return 'unsupported'
    try {
      localStorage.setItem(ASKED_KEY, '1')
    } catch {
      /* private mode: we may ask again next time */
    }
    try {
      permission.value = await Notification.requestPermission()
    } catch {
      permission.value = Notification.permission
    }
    return permission.value
  }

  return { isSupported, permission, canAsk, askedBefore, request }
}

import { onScopeDispose, ref, shallowRef, type Ref } from 'vue'

/** The parts of the Barcode Detection API we use (not in TypeScript's DOM lib yet). */
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>
}
type BarcodeDetectorConstructor = new (options: { formats: string[] }) => BarcodeDetectorLike

/** For components: a name the SFC lint setup knows. */
export type VideoElement = HTMLVideoElement

export interface UseQrScannerOptions {
  /** The <video> the camera is shown in. */
  video: Ref<HTMLVideoElement | null>
  /** Called with the first QR code read; scanning stops first. */
  onCode(text: string): void
  /** How often to look at a frame, in ms. */
  interval?: number
}

/**
 * Read a QR code with the camera, where the browser has BarcodeDetector
 * (Chromium on Android) and a camera; `isSupported` is false elsewhere, and
 * the caller hides the button. The camera is released on stop and when the
 * component goes away.
 */
export function useQrScanner(options: UseQrScannerOptions) {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorConstructor }).BarcodeDetector
  const isSupported = !!Detector && typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia
  const active = ref(false)
  const error = ref('')
  const stream = shallowRef<MediaStream | null>(null)
  let timer: ReturnType<typeof setTimeout> | null = null

  function stop(): void {
    if (timer) clearTimeout(timer)
    timer = null
    for (const track of stream.value?.getTracks() ?? []) track.stop()
    stream.value = null
    if (options.video.value) options.video.value.srcObject = null
    active.value = false
  }

  async function start(): Promise<void> {
    if (!isSupported || active.value) return
    error.value = ''
    try {
      const detector = new Detector({ formats: ['qr_code'] })
      stream.value = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      active.value = true
      const video = options.video.value
      if (!video) return stop()
      video.srcObject = stream.value
      await video.play()
      const look = async () => {
        if (!active.value) return
        const codes = await detector.detect(video).catch(() => [])
        const text = codes[0]?.rawValue
        if (text) {
          stop()
          options.onCode(text)
        } else {
          timer = setTimeout(() => void look(), options.interval ?? 250)
        }
      }
      void look()
    } catch (e) {
      stop()
      const name = (e as Error).name
      error.value =
        name === 'NotAllowedError'
          ? 'The camera was not allowed. Paste the join link instead, or allow the camera in the browser’s site settings.'
          : 'The camera could not be started. Paste the join link instead.'
    }
  }

  onScopeDispose(stop)
  return { isSupported, active, error, start, stop }
}

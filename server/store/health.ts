/**
 * Whether the storage takes writes, for GET /api/health. Not checked per
 * request: a probe (Store.probeWrite, a one-row write plus a free-space check)
 * runs every `intervalMs`, and a write a push saw fail marks the storage down
 * at once. The next probe that succeeds marks it up again.
 */
import { StorageFaultError, type StorageFaultReason } from './faults'
import type { Store } from './types'

/** Room a push may need: the largest body (1 MiB) stored as rows and WAL, with margin. */
export const PROBE_HEADROOM_BYTES = 4 * 1024 * 1024

export type StorageState = { ok: true } | { ok: false; reason: StorageFaultReason }

export interface StorageHealthOptions {
  /** Milliseconds between probes; 0: only when `probe()` is called (tests). */
  intervalMs: number
  headroomBytes?: number
}

export class StorageHealth {
  private current: StorageState = { ok: true }
  private timer: NodeJS.Timeout | undefined
  private running: Promise<StorageState> | undefined

  constructor(
    private readonly store: Pick<Store, 'probeWrite'>,
    private readonly options: StorageHealthOptions,
  ) {}

  get state(): StorageState {
    return this.current
  }

  /** Probe now and then every `intervalMs` (unref'd: it never keeps the process alive). */
  start(): void {
    void this.probe()
    if (this.options.intervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.probe(), this.options.intervalMs)
      this.timer.unref()
    }
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** A write failed for this reason: down until a probe succeeds. */
  writeFailed(reason: StorageFaultReason): void {
    this.current = { ok: false, reason }
  }

  /** Runs one probe (one at a time) and resolves with the state it leaves. */
  probe(): Promise<StorageState> {
    this.running ??= this.runProbe().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async runProbe(): Promise<StorageState> {
    try {
      await this.store.probeWrite(this.options.headroomBytes ?? PROBE_HEADROOM_BYTES)
      this.current = { ok: true }
    } catch (e) {
      // Anything else (the database closed under a shutdown) is not a storage condition to report.
      if (e instanceof StorageFaultError) this.current = { ok: false, reason: e.reason }
    }
    return this.current
  }
}

/**
 * Event-loop stalls told apart from a busy machine. `monitorEventLoopDelay`
 * counts every late timer, and on a shared two-core machine a process that is
 * simply not scheduled is late too. This watch ticks every 2 ms and
 * keeps, for the longest gap between two ticks, how much CPU the process used
 * in it: a gap the server's own work caused is nearly all CPU; one the
 * machine's load caused is nearly all waiting.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'

/** Between ticks: each reads the process's CPU time (getrusage), which costs tens of µs on a loaded machine. */
const TICK_MS = 2

/** What `LoopWatch.stop()` reports; times in milliseconds. */
export interface LoopStalls {
  /** Longest event-loop delay (perf_hooks.monitorEventLoopDelay, 5 ms resolution). */
  maxDelayMs: number
  /** Longest wall-clock gap between two ticks (2 ms apart when nothing holds the loop). */
  longestGapMs: number
  /** CPU time (user + system, all of the process's threads) spent inside that longest gap. */
  longestGapCpuMs: number
  /** The most CPU spent inside any single gap: the longest the process itself can have held its loop. */
  maxGapCpuMs: number
  /** CPU time the process used from start to stop, and the wall time between them. */
  cpuMs: number
  wallMs: number
}

/** Watches the event loop of this process from `start()` to `stop()`. */
export class LoopWatch {
  private readonly histogram = monitorEventLoopDelay({ resolution: 5 })
  private timer: NodeJS.Timeout | undefined
  private lastWall = 0
  private lastCpu: NodeJS.CpuUsage = { user: 0, system: 0 }
  private longestGap = 0
  private longestGapCpu = 0
  private maxGapCpu = 0
  private startWall = 0
  private startCpu: NodeJS.CpuUsage = { user: 0, system: 0 }

  /** Begins watching; ticks every TICK_MS until `stop()`. */
  start(): void {
    this.histogram.enable()
    this.lastWall = this.startWall = performance.now()
    this.lastCpu = this.startCpu = process.cpuUsage()
    const tick = () => {
      const wall = performance.now()
      const cpuNow = process.cpuUsage()
      const gap = wall - this.lastWall
      const cpu = (cpuNow.user - this.lastCpu.user + cpuNow.system - this.lastCpu.system) / 1000
      if (gap > this.longestGap) {
        this.longestGap = gap
        this.longestGapCpu = cpu
      }
      // Helper threads (GC) can add CPU beyond the wall time: the loop itself was held at most `gap`.
      this.maxGapCpu = Math.max(this.maxGapCpu, Math.min(cpu, gap))
      this.lastWall = wall
      this.lastCpu = cpuNow
      this.timer = setTimeout(tick, TICK_MS)
    }
    this.timer = setTimeout(tick, TICK_MS)
  }

  /** Stops watching and reports. */
  stop(): LoopStalls {
    clearTimeout(this.timer)
    this.histogram.disable()
    const cpu = process.cpuUsage(this.startCpu)
    return {
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - this.startWall,
      maxDelayMs: this.histogram.max / 1e6,
      longestGapMs: this.longestGap,
      longestGapCpuMs: this.longestGapCpu,
      maxGapCpuMs: this.maxGapCpu,
    }
  }
}

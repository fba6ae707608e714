import { describe, expect, it } from 'vitest'
import { singleFlight } from './single-flight'

/** A task whose runs the test finishes by hand, so interleavings are exact. */
function gatedTask() {
  const gates: (() => void)[] = []
  let runs = 0
  let active = 0
  let maxActive = 0
  const task = async () => {
    runs++
    active++
    maxActive = Math.max(maxActive, active)
    await new Promise<void>((resolve) => gates.push(resolve))
    active--
  }
  const finish = async () => {
    gates.shift()!()
    // Let the loop see the run end and, if asked, start the next one.
    for (let i = 0; i < 5; i++) await Promise.resolve()
  }
  return { task, finish, runs: () => runs, maxActive: () => maxActive, waiting: () => gates.length }
}

describe('singleFlight', () => {
  it('runs the task once when asked once', async () => {
    const t = gatedTask()
    const flight = singleFlight(t.task)
    const done = flight.run()
    expect(flight.running).toBe(true)
    await t.finish()
    await done
    expect(t.runs()).toBe(1)
    expect(flight.running).toBe(false)
  })

  it('collapses any number of requests during a run into one more run after it, never two at once', async () => {
    const t = gatedTask()
    const flight = singleFlight(t.task)
    const first = flight.run()
    const later = [flight.run(), flight.run(), flight.run()]
    expect(t.runs()).toBe(1)
    await t.finish()
    expect(t.runs()).toBe(2)
    expect(t.waiting()).toBe(1)
    await t.finish()
    await Promise.all([first, ...later])
    expect(t.runs()).toBe(2)
    expect(t.maxActive()).toBe(1)
  })

  it('runs again for a request made during the extra run', async () => {
    const t = gatedTask()
    const flight = singleFlight(t.task)
    const done = flight.run()
    void flight.run()
    await t.finish()
    void flight.run() // during run 2
    await t.finish()
    await t.finish()
    await done
    expect(t.runs()).toBe(3)
  })

  it('hands a failure to the callers, drops the pending re-run, and starts afresh on the next request', async () => {
    let runs = 0
    const flight = singleFlight(async () => {
      runs++
      if (runs === 1) {
        void flight.run() // asked again meanwhile: dropped with the failure
        throw new Error('disk full')
      }
    })
    await expect(flight.run()).rejects.toThrow('disk full')
    expect(runs).toBe(1)
    expect(flight.running).toBe(false)
    await flight.run()
    expect(runs).toBe(2)
  })

  it('idle() waits for the run under way and its re-run, and does not reject', async () => {
    const t = gatedTask()
    const flight = singleFlight(t.task)
    void flight.run()
    void flight.run()
    let idle = false
    const waiting = flight.idle().then(() => {
      idle = true
    })
    await t.finish()
    expect(idle).toBe(false)
    await t.finish()
    await waiting
    expect(idle).toBe(true)

    const failing = singleFlight(() => Promise.reject(new Error('x')))
    const run = failing.run()
    await expect(failing.idle()).resolves.toBeUndefined()
    await expect(run).rejects.toThrow('x')
  })
})

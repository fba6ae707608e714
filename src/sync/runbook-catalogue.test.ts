// The catalogue sync against the real server (buildApp on a memory store, through inject) and IndexedDB (fake-indexeddb).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createTestApp, injectFetch, type TestApp } from '../../server/test-support'
import { CommandPostDatabase } from '../db/database'
import { publishedRunbookVersions, readRunbookCatalogue } from '../db/runbooks'
import type { FetchLike } from './api'
import { createRunbookApi, RunbookApiError } from './runbook-api'
import {
  refreshRunbookCatalogue,
  workerCompiler,
  type CompileRunbookSource,
  type CompilerWorker,
} from './runbook-catalogue'

let n = 0

describe('refreshRunbookCatalogue', () => {
  let t: TestApp
  let db: CommandPostDatabase
  let calls: string[]
  // A stand-in for the build's compiler (this layer has it injected): the page is the source.
  const compile = vi.fn<CompileRunbookSource>(async (source, id, version) => ({
    page: { id, version, source },
    text: source,
  }))

  beforeEach(async () => {
    t = await createTestApp()
    db = new CommandPostDatabase(`catalogue-${++n}`)
    calls = []
    compile.mockClear()
  })
  afterEach(async () => {
    db.close()
    await t.close()
  })

  const viaInject: FetchLike = async (input, init = {}) => {
    calls.push(`${init.method ?? 'GET'} ${input}`)
    return injectFetch(t.app)(input, init)
  }
  const api = () => createRunbookApi({ serverUrl: '', token: t.token }, viaInject)
  const refresh = (a = api()) => refreshRunbookCatalogue({ db, api: a, serverUrl: '', compile })
  async function publish(id: string, source: string): Promise<number> {
    const a = api()
    const known = (await a.catalogue()).notModified === false
    const created = known ? await a.propose(id, source).catch(() => a.create(id, source)) : await a.create(id, source)
    await a.publish(id, created.version)
    return created.version
  }

  it('stores each published version once, compiled, and asks with the ETag afterwards', async () => {
    await publish('network/switch-down', '# Switch down\n\n- [ ] Ping it\n')
    await api().create('draft-only', '# Not yet\n') // a proposal: nothing for phones

    expect(await refresh()).toEqual({ kind: 'updated', changed: ['network/switch-down'], removed: [] })
    const state = await readRunbookCatalogue(db)
    expect(state).toMatchObject({ serverUrl: '', published: { 'network/switch-down': 1 } })
    expect((await publishedRunbookVersions(db)).map((r) => [r.id, r.version, r.text])).toEqual([
      ['network/switch-down', 1, '# Switch down\n\n- [ ] Ping it\n'],
    ])

    calls = []
    expect(await refresh()).toEqual({ kind: 'unchanged' })
    expect(calls).toEqual(['GET /api/runbooks']) // a 304: no version fetched again
    expect(compile).toHaveBeenCalledTimes(1)

    const v2 = await publish('network/switch-down', '# Switch down\n\n- [ ] Ping it twice\n')
    expect(await refresh()).toEqual({ kind: 'updated', changed: ['network/switch-down'], removed: [] })
    expect((await publishedRunbookVersions(db)).map((r) => [r.version, r.text])).toEqual([
      [v2, '# Switch down\n\n- [ ] Ping it twice\n'],
    ])
    // The older version stays for log entries that name it.
    expect(await db.runbookVersions.get(['network/switch-down', 1])).toBeDefined()
  })

  it('changes nothing stored when the server answers garbage, refuses, or cannot be reached', async () => {
    await publish('dhcp', '# DHCP\n\n- [ ] Check the scope\n')
    await refresh()
    const before = { state: await readRunbookCatalogue(db), rows: await db.runbookVersions.toArray() }
    await publish('dhcp', '# DHCP\n\n- [ ] Check the scope again\n')

    const answers: FetchLike[] = [
      // Garbage in place of the catalogue.
      async () => new Response('<html>login</html>', { status: 200, headers: { etag: '"x"' } }),
      // A catalogue of the wrong shape.
      async () => Response.json({ runbooks: [{ id: 'dhcp', version: 'two' }] }),
      // A refusal.
      async () => Response.json({ error: { code: 'unauthorized', message: 'token revoked' } }, { status: 401 }),
      // The network.
      async () => {
        throw new TypeError('Failed to fetch')
      },
      // The catalogue is fine, the version answer is another runbook's.
      async (input, init) =>
        input.includes('/versions/')
          ? Response.json({ ...(await (await viaInject(input, init)).json()), id: 'other' })
          : viaInject(input, init),
      // The catalogue is fine, the version answer is garbage.
      async (input, init) =>
        input.includes('/versions/') ? new Response('{"id":', { status: 200 }) : viaInject(input, init),
    ]
    for (const answer of answers) {
      const bad = createRunbookApi({ serverUrl: '', token: t.token }, answer)
      await expect(refresh(bad)).rejects.toBeInstanceOf(Error)
      expect(await readRunbookCatalogue(db)).toEqual(before.state)
      expect(await db.runbookVersions.toArray()).toEqual(before.rows)
    }
    await expect(refresh(createRunbookApi({ serverUrl: '', token: t.token }, answers[0]!))).rejects.toBeInstanceOf(
      RunbookApiError,
    )
    // And the next good answer goes through.
    expect(await refresh()).toMatchObject({ kind: 'updated', changed: ['dhcp'] })
  })
})

describe('workerCompiler', () => {
  /** A worker answering in order, or failing the way a crashed worker does. */
  function fakeWorker(answer: (job: { n: number; source: string }) => unknown) {
    const worker: CompilerWorker & { terminated: boolean; crash(message: string): void } = {
      onmessage: null,
      onerror: null,
      terminated: false,
      postMessage(message) {
        const job = message as { n: number; source: string }
        queueMicrotask(() => worker.onmessage?.({ data: answer(job) } as MessageEvent))
      },
      terminate() {
        worker.terminated = true
      },
      crash(message) {
        worker.onerror?.({ message } as ErrorEvent)
      },
    }
    return worker
  }

  it('starts one worker on the first compile, matches answers to jobs, and ends it on close', async () => {
    const created: ReturnType<typeof fakeWorker>[] = []
    const compiler = workerCompiler(() => {
      const w = fakeWorker((job) =>
        job.source === 'bad'
          ? { n: job.n, ok: false, message: 'no id' }
          : { n: job.n, ok: true, page: job.source, text: job.source },
      )
      created.push(w)
      return w
    })
    expect(created).toHaveLength(0)
    const [a, b] = await Promise.all([compiler.compile('a', 'x', 1), compiler.compile('b', 'y', 1)])
    expect([a, b]).toEqual([
      { page: 'a', text: 'a' },
      { page: 'b', text: 'b' },
    ])
    await expect(compiler.compile('bad', 'z', 1)).rejects.toThrow('no id')
    expect(created).toHaveLength(1)
    compiler.close()
    expect(created[0]!.terminated).toBe(true)
  })

  it('rejects what waits on a worker that crashed', async () => {
    let worker: ReturnType<typeof fakeWorker> | null = null
    const compiler = workerCompiler(() => (worker = fakeWorker(() => ({ n: -1 }))))
    const waiting = compiler.compile('a', 'x', 1)
    worker!.crash('out of memory')
    await expect(waiting).rejects.toThrow(/compiler stopped: out of memory/)
  })
})

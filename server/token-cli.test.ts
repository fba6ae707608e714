import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { TOKEN_PATTERN, TokenService } from './auth/tokens'
import { openSqliteStore } from './store/sqlite'
import { tempDir } from './test-support'
import { CLI_ACTOR, tokenCli } from './token-cli'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const run = promisify(execFile)
const data = tempDir('cp-cli-')
afterAll(() => data.remove())

function capture() {
  let text = ''
  return {
    stream: {
      write: (s: string) => {
        text += s
        return true
      },
    } as unknown as NodeJS.WritableStream,
    text: () => text,
  }
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out = capture()
  const err = capture()
  const code = await tokenCli(args, { DATA_DIR: data.path, ...env }, out.stream, err.stream)
  return { code, out: out.text(), err: err.text() }
}

describe('npm run token', () => {
  // A child process (tsx compiling the CLI): seconds on a busy machine, so not the default 5 s.
  it('issues a token: alone on the first line, then the join link and a QR code', { timeout: 60_000 }, async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'server/token-cli.ts', '--name', 'Dana'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: data.path, PUBLIC_URL: 'https://cp.example.org/' },
    })
    const [token, link, ...qr] = stdout.split('\n')
    expect(token).toMatch(TOKEN_PATTERN)
    expect(link).toBe(`https://cp.example.org/#/join?token=${token}&name=Dana`)
    expect(qr.join('\n')).toMatch(/[▀▄█]/)
    const store = openSqliteStore(data.path)
    expect(await new TokenService(store).verify(token)).toMatchObject({ name: 'Dana' })
    await store.close()
  })

  it('builds the link from HOST and PORT without PUBLIC_URL, and says so', async () => {
    const { code, out, err } = await cli(['--name', 'Lee'], { HOST: '10.0.0.5', PORT: '9000' })
    expect(code).toBe(0)
    expect(out.split('\n')[1]).toMatch(/^http:\/\/10\.0\.0\.5:9000\/#\/join\?token=[A-Za-z0-9_-]{43}&name=Lee$/)
    expect(err).toBe('Link uses http://10.0.0.5:9000 from HOST and PORT; set PUBLIC_URL to change it.\n')
  })

  it('says which address it used: PUBLIC_URL, or the defaults when no server ever ran', async () => {
    expect((await cli(['--name', 'Ori'], { PUBLIC_URL: 'https://cp.example/' })).err).toBe(
      'Link uses https://cp.example from PUBLIC_URL.\n',
    )
    const { out, err } = await cli(['--name', 'Ivo'], { PORT: '' })
    expect(out.split('\n')[1]).toMatch(/^http:\/\/127\.0\.0\.1:8080\//)
    expect(err).toMatch(/^Link uses http:\/\/127\.0\.0\.1:8080 from the default HOST and PORT/)
  })

  it('lists names, created and last used, never the token', async () => {
    const { out: issued } = await cli(['--name', 'Sam'])
    const token = issued.split('\n')[0]!
    const { code, out } = await cli(['--list'])
    expect(code).toBe(0)
    expect(out).toMatch(/^Sam\tcreated \S+\tlast used never$/m)
    expect(out).toMatch(/^Dana\t/m)
    expect(out).not.toContain(token)
  })

  it('revokes by name', async () => {
    await cli(['--name', 'Kim'])
    expect(await cli(['--revoke', 'Kim'])).toMatchObject({ code: 0, out: 'revoked 1 token named "Kim"\n' })
    expect((await cli(['--list'])).out).not.toMatch(/^Kim\t/m)
    expect(await cli(['--revoke', 'Kim'])).toMatchObject({ code: 1, err: 'no active token named "Kim"\n' })
  })

  it('issues read-only and admin tokens, and lists them as such', async () => {
    const { out: pat } = await cli(['--name', 'Pat', '--read-only'])
    const { out: ada } = await cli(['--name', 'Ada', '--admin'])
    const store = openSqliteStore(data.path)
    const tokens = new TokenService(store)
    expect(await tokens.verify(pat.split('\n')[0])).toMatchObject({ name: 'Pat', readOnly: true, admin: false })
    expect(await tokens.verify(ada.split('\n')[0])).toMatchObject({ name: 'Ada', readOnly: false, admin: true })
    await store.close()
    const { out } = await cli(['--list'])
    expect(out).toMatch(/^Pat\tcreated \S+\tlast used \S+\tread-only$/m)
    expect(out).toMatch(/^Ada\tcreated \S+\tlast used \S+\tadmin$/m)
    expect((await cli(['--list', '--read-only'])).code).toBe(2)
  })

  it('revokes with a wipe: the phone is told to delete its data', async () => {
    const { out } = await cli(['--name', 'Lost'])
    expect(await cli(['--revoke', 'Lost', '--wipe'])).toMatchObject({
      code: 0,
      out: 'revoked 1 token named "Lost"; the phone will be wiped at its next contact\n',
    })
    const store = openSqliteStore(data.path)
    expect(await new TokenService(store).isWiped(out.split('\n')[0])).toBe(true)
    await store.close()
    expect((await cli(['--name', 'x', '--wipe'])).code).toBe(2)
  })

  it('writes issuing, revoking and wiping to the admin audit, by the command line', async () => {
    await cli(['--name', 'Audited', '--read-only'])
    await cli(['--revoke', 'Audited'])
    await cli(['--name', 'Audited'])
    await cli(['--revoke', 'Audited', '--wipe'])
    // A revoke that matched nothing changed nothing, so it is not recorded.
    await cli(['--revoke', 'Audited'])
    const store = openSqliteStore(data.path)
    const actions = (await store.listAdminActions(200)).filter((a) => a.target === 'Audited')
    await store.close()
    const byCli = { actorTokenId: null, actorName: CLI_ACTOR, target: 'Audited', at: expect.any(String) }
    // Newest first, like the API's entries.
    expect(actions).toEqual([
      { ...byCli, action: 'revoke_wipe' },
      { ...byCli, action: 'issue' },
      { ...byCli, action: 'revoke' },
      { ...byCli, action: 'issue', detail: 'read-only' },
    ])
    expect(CLI_ACTOR).toBe('command line')
  })

  it('explains its usage on bad arguments', async () => {
    expect((await cli([])).code).toBe(2)
    expect((await cli(['--bogus'])).code).toBe(2)
    expect((await cli(['--name', 'a', '--list'])).code).toBe(2)
    expect((await cli(['--name', '   '])).code).toBe(1)
  })
})

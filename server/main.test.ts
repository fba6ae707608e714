/**
 * main() in this process: where the first token goes when a person is
 * watching (a terminal), and the address the token CLI takes from the server.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from './main'
import { ADDRESS_FILE } from './server-address'
import { tempDir } from './test-support'
import { tokenCli } from './token-cli'

const data = tempDir('cp-main-')
afterAll(() => data.remove())

function capture(isTTY: boolean) {
  let text = ''
  const stream = {
    isTTY,
    write: (s: string) => {
      text += s
      return true
    },
  } as unknown as NodeJS.WritableStream
  return { stream, text: () => text }
}

const env = (dir: string, more: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: dir,
  DIST_DIR: `${dir}-no-dist`,
  LOG_LEVEL: 'silent',
  ...more,
})

describe('main', () => {
  it('prints the first token’s join link and QR code when stdout is a terminal, and writes no file', async () => {
    const dir = join(data.path, 'tty')
    const out = capture(true)
    const server = await main(env(dir), out.stream)
    try {
      expect(out.text()).toMatch(new RegExp(`^${server.url}/#/join\\?token=[A-Za-z0-9_-]{43}$`, 'm'))
      expect(out.text()).toMatch(/[▀▄█]/)
      expect(existsSync(join(dir, 'first-token.txt'))).toBe(false)
    } finally {
      await server.close()
    }
  })

  it('records its address, and the token CLI puts it in links without being told PORT, saying where it came from', async () => {
    const dir = join(data.path, 'address')
    const server = await main(env(dir), capture(false).stream)
    await server.close()
    expect(JSON.parse(readFileSync(join(dir, ADDRESS_FILE), 'utf8'))).toMatchObject({
      origin: server.url,
      source: 'HOST and PORT',
    })

    const out = capture(false)
    const err = capture(false)
    // The CLI's environment has only DATA_DIR, as when run from another shell.
    expect(await tokenCli(['--name', 'Ana'], { DATA_DIR: dir }, out.stream, err.stream)).toBe(0)
    expect(out.text().split('\n')[1]).toMatch(new RegExp(`^${server.url}/#/join\\?token=`))
    expect(err.text()).toContain(`Link uses ${server.url}, from HOST and PORT of the server last started`)
    expect(err.text()).toContain('set PUBLIC_URL to change it')
  })
})

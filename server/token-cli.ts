/**
 * Access tokens from the command line (works while the server runs):
 *   npm run token -- --name "Dana"     issue; the token alone on the first line, then the join link and QR code
 *                                      (on stderr: which address the link uses, and from which setting)
 *     … --read-only                     a token that pulls and streams but never pushes (403 read_only)
 *     … --admin                         a token that may use the admin routes (Settings → Team)
 *   npm run token -- --list            names, created, last used (never the token)
 *   npm run token -- --revoke "Dana"   revoke every active token with that name; open streams close within seconds
 *     … --wipe                          and at its next contact the phone deletes its incident data (a lost phone)
 * Issuing and revoking are written to the admin audit (Settings → Team) as the API's are,
 * by the actor "command line" (no token).
 */
import { parseArgs } from 'node:util'
import { joinLink, qrCode } from './auth/join-link'
import { TokenService } from './auth/tokens'
import { loadConfig } from './config'
import { isEntry } from './is-entry'
import { cliLinkOrigin } from './server-address'
import { openStore } from './store/open'
import type { AdminAction, TokenStore } from './store/types'

/** The actor the admin audit names for changes made with this command. */
export const CLI_ACTOR = 'command line'

/** Record a change made here in the admin audit, as the admin routes record theirs. */
function audit(store: TokenStore, action: AdminAction['action'], target: string, detail?: string): Promise<void> {
  return store.recordAdminAction({
    at: new Date().toISOString(),
    actorTokenId: null,
    actorName: CLI_ACTOR,
    action,
    target,
    ...(detail !== undefined && { detail }),
  })
}

const USAGE =
  'usage: npm run token -- --name "<person>" [--read-only] [--admin] | --list | --revoke "<person>" [--wipe]'

/**
 * Runs the command with `argv` (without node and the script), the server's settings from
 * `env`. Writes results to `out`, problems to `err`; resolves to the exit code (0 done,
 * 1 failed, 2 usage). Rejects only when the configuration itself is bad.
 */
export async function tokenCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        name: { type: 'string' },
        revoke: { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean' },
        'read-only': { type: 'boolean' },
        admin: { type: 'boolean' },
        wipe: { type: 'boolean' },
      },
    }))
  } catch (e) {
    err.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`)
    return 2
  }
  const chosen = [values.name !== undefined, values.revoke !== undefined, values.list === true].filter(Boolean).length
  if (values.help || chosen !== 1) {
    err.write(`${USAGE}\n`)
    return values.help ? 0 : 2
  }
  if ((values['read-only'] || values.admin) && values.name === undefined) {
    err.write(`--read-only and --admin go with --name\n${USAGE}\n`)
    return 2
  }
  if (values.wipe && values.revoke === undefined) {
    err.write(`--wipe goes with --revoke\n${USAGE}\n`)
    return 2
  }

  const config = loadConfig(env)
  // With DATABASE_URL, the PostgreSQL database the servers share: a revocation reaches every node's streams at once.
  const store = await openStore(config)
  const tokens = new TokenService(store)
  try {
    if (values.name !== undefined) {
      const { token, record } = await tokens.issue(values.name, {
        readOnly: values['read-only'],
        admin: values.admin,
      })
      const grants = [record.readOnly && 'read-only', record.admin && 'admin'].filter(Boolean).join(', ')
      await audit(store, 'issue', record.name, grants || undefined)
      // The same settings as the server (loadConfig), or the address the server recorded in DATA_DIR.
      const { origin, explanation } = cliLinkOrigin(config, env)
      const link = joinLink(origin, token, values.name)
      out.write(`${token}\n${link}\n${await qrCode(link)}\n`)
      // On stderr: stdout stays token, link, QR for scripts.
      err.write(`${explanation}\n`)
      return 0
    }
    if (values.revoke !== undefined) {
      const n = await tokens.revoke(values.revoke, { wipe: values.wipe })
      if (n === 0) {
        err.write(`no active token named "${values.revoke}"\n`)
        return 1
      }
      await audit(store, values.wipe ? 'revoke_wipe' : 'revoke', values.revoke)
      const wiped = values.wipe ? '; the phone will be wiped at its next contact' : ''
      out.write(`revoked ${n} token${n === 1 ? '' : 's'} named "${values.revoke}"${wiped}\n`)
      return 0
    }
    const list = await tokens.list()
    if (list.length === 0) out.write('no active tokens\n')
    for (const t of list) {
      const grants = `${t.readOnly ? '\tread-only' : ''}${t.admin ? '\tadmin' : ''}`
      out.write(`${t.name}\tcreated ${t.createdAt}\tlast used ${t.lastUsedAt ?? 'never'}${grants}\n`)
    }
    return 0
  } catch (e) {
    err.write(`${e instanceof Error ? e.message : String(e)}\n`)
    return 1
  } finally {
    await store.close()
  }
}

if (isEntry(import.meta.url)) {
  // Failures of the command resolve with an exit code; a rejection (bad configuration) is
  // left unhandled on purpose, so the process exits with its stack.
  void tokenCli(process.argv.slice(2), process.env, process.stdout, process.stderr).then((code) => {
    process.exitCode = code
  })
}

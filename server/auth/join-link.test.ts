import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import QRCode from 'qrcode'
import { describe, expect, it } from 'vitest'
import { joinLink, QR_ERROR_CORRECTION, qrCode } from './join-link'

/** Reads the half-block rendering back into dark/light modules (one text row = two module rows). */
function modulesOf(printed: string, size: number): boolean[] {
  // eslint-disable-next-line no-control-regex -- the renderer's colour codes are what we strip
  const rows = printed.replace(/\x1b\[\d+m/g, '').split('\n')
  const dark: Record<string, [boolean, boolean]> = {
    ' ': [false, false],
    '▄': [false, true],
    '▀': [true, false],
    '█': [true, true],
  }
  const modules = new Array<boolean>(size * size).fill(false)
  // Row k holds module rows 2k-1 and 2k; column 0 is the quiet zone.
  for (let k = 0; k <= (size - 1) / 2; k++) {
    const row = [...(rows[k] ?? '')]
    for (let x = 0; x < size; x++) {
      const pair = dark[row[x + 1] ?? '']
      if (!pair) throw new Error(`unexpected character at row ${k}, column ${x + 1}`)
      if (2 * k - 1 >= 0) modules[(2 * k - 1) * size + x] = pair[0]
      modules[2 * k * size + x] = pair[1]
    }
  }
  return modules
}

describe('qrCode', () => {
  const link = joinLink('http://192.168.1.20:8080', 'A'.repeat(43))

  it('prints, module for module, the QR symbol of the link at error correction L', async () => {
    const printed = await qrCode(link)
    const symbol = QRCode.create(link, { errorCorrectionLevel: QR_ERROR_CORRECTION })
    const size = symbol.modules.size
    expect(QR_ERROR_CORRECTION).toBe('L')
    // A 43-character token link fits version 4 (33 × 33) at L; at M it would not match below.
    expect(size).toBe(33)
    expect(modulesOf(printed, size)).toEqual([...symbol.modules.data].map(Boolean))
    const atM = QRCode.create(link, { errorCorrectionLevel: 'M' })
    expect(modulesOf(printed, size)).not.toEqual([...atM.modules.data].map(Boolean))
    // Half blocks: (size + 1) / 2 module rows plus the bottom border row, then the colour reset.
    expect(printed.split('\n')).toHaveLength((size + 1) / 2 + 2)
  })

  it('no server file imports the dormant qrcode-terminal any more', () => {
    const root = join(import.meta.dirname, '..')
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.includes('node_modules') && !f.endsWith('join-link.test.ts'),
    )
    expect(files.length).toBeGreaterThan(10)
    const offenders = files.filter((f) => /from 'qrcode-terminal'/.test(readFileSync(join(root, f), 'utf8')))
    expect(offenders).toEqual([])
  })
})

describe('join link with the person', () => {
  it('carries the name the token was issued for, encoded, in the fragment only', () => {
    expect(joinLink('https://cp.example', 'T', ' Dana Scully ')).toBe(
      'https://cp.example/#/join?token=T&name=Dana%20Scully',
    )
    expect(joinLink('https://cp.example', 'T', 'Zoë & co')).toBe(
      'https://cp.example/#/join?token=T&name=Zo%C3%AB%20%26%20co',
    )
    expect(joinLink('https://cp.example', 'T')).toBe('https://cp.example/#/join?token=T')
  })
})

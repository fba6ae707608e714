import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newPhone, registerE2eWorld } from './harness'
import { IncidentsPage } from './pages'
import { IncidentCommandPage } from './command-pages'

const world = registerE2eWorld()

test('runs a whole incident from declare to resolved, and the Markdown export holds every fact', async () => {
  const { context, page } = await newPhone(world.browser, world.server.url, 'Dana')
  await new IncidentsPage(page).declare('Core switch down at the high school', 2)
  const incident = new IncidentCommandPage(page)
  const parentUrl = page.url()
  await incident.log('Closet B is dark, UPS beeping')

  // Roles: Ops and Comms handed out; the commander keeps Planning.
  await incident.assign('Ops', 'Lee')
  await incident.assign('Comms', 'Kim')
  assert.match(await incident.seat('Planning').innerText(), /Planning — Dana \(commander\)/)

  // Dana is not Ops: warned, records anyway, and the change carries the mark.
  const warning = await incident.recordChange(
    'core-sw-1',
    'shut port 24 to stop the broadcast storm',
    'no shutdown on port 24',
    { anyway: true },
  )
  assert.match(warning ?? '', /Ops is Lee\./)
  assert.match(await page.getByRole('list', { name: 'Open changes' }).innerText(), /Made outside Ops \(Ops was Lee\)/)
  await incident.recordChange('dhcp-hs', 'lease time cut to 1 hour', 'set lease time back to 8 days', { anyway: true })
  await incident.revertChange('core-sw-1', 'port 24 back up after the loop was removed')

  // Open changes stay in sight on the other tabs.
  await incident.tab('Log')
  assert.match(await page.locator('.open-changes').innerText(), /1 open change — diverged from normal[\s\S]*dhcp-hs/)

  await incident.postUpdate(
    'Network at the high school is down in building B. We are isolating a loop. Next update 10:30.',
    'Principals',
  )
  await incident.postUpdate(
    'Building B is back on the network; DHCP is on a short lease while we watch it.',
    'All staff',
  )
  assert.match(await incident.header.innerText(), /Next update in \d+ min/)

  await incident.addTask('Need one more person at the high school', 'staffing', 'Sam')

  // Command goes to Sam with a briefing drafted from the state.
  const draft = await incident.handOff('Incident commander', 'Sam', 'Watch the UPS in closet B.')
  assert.match(draft, /Situation: Core switch down at the high school — Active, SEV2 · major/)
  assert.match(draft, /Roles: Incident commander Dana; Ops Lee; Comms Kim; Planning \(commander\)\./)
  assert.match(
    draft,
    /Open changes \(1\):\n- dhcp-hs: lease time cut to 1 hour — revert: set lease time back to 8 days/,
  )
  assert.match(draft, /Last update .* by Dana to All staff: “Building B is back on the network/)
  assert.match(draft, /Open tasks \(1\):\n- \[Staffing\] Need one more person at the high school \(owner Sam\)/)

  // A sub-incident with its own log, listed on the parent, resolved on its own.
  const child = await incident.declareSubIncident('Gym Wi-Fi down', 3)
  assert.match(await child.header.innerText(), /Sub-incident of Core switch down at the high school/)
  await child.log('AP in the gym reboots every few minutes')
  await child.resolve([], 'AP replaced')
  await page.goto(parentUrl)
  await page.getByRole('list', { name: 'Sub-incidents' }).getByText('resolved').waitFor()

  // Resolve the parent: the open DHCP change is kept on purpose.
  await incident.resolve(['keep'], 'Loop removed, network stable')
  assert.match(await incident.header.innerText(), /resolved/i)

  const markdown = await incident.markdown()
  const file = await incident.downloadMarkdown()
  assert.equal(file.name, 'core-switch-down-at-the-high-school-incident.md')
  for (const doc of [markdown, file.text.replace(/Exported: .*\n/, '')]) {
    assert.match(doc, /^# Core switch down at the high school/)
    assert.match(doc, /- Status: Resolved \(since .*, Dana\)/)
    assert.match(doc, /- Incident commander: Sam — since .*, assigned by Dana/)
    assert.match(doc, /- Ops: Lee — since/)
    assert.match(doc, /- Comms: Kim — since/)
    assert.match(
      doc,
      /### Reverted \(1\)\n\n- \*\*core-sw-1\*\*: shut port 24 to stop the broadcast storm — to revert: no shutdown on port 24 .*\*\*made outside Ops\*\* \(Ops was Lee\) — reverted .* by Dana: port 24 back up after the loop was removed/,
    )
    assert.match(
      doc,
      /### Kept on purpose \(1\)\n\n- \*\*dhcp-hs\*\*: lease time cut to 1 hour — to revert: set lease time back to 8 days/,
    )
    assert.match(doc, /### Open \(0\)/)
    assert.match(
      doc,
      /→ Principals\n\nNetwork at the high school is down in building B\. We are isolating a loop\. Next update 10:30\./,
    )
    assert.match(doc, /→ All staff\n\nBuilding B is back on the network; DHCP is on a short lease while we watch it\./)
    assert.match(doc, /- \[ \] Staffing: Need one more person at the high school — owner Sam/)
    assert.match(doc, /## Sub-incidents\n\n- SEV3 · minor — Gym Wi-Fi down: Resolved/)
    assert.match(
      doc,
      /Incident commander → Sam \(from Dana\)\n\n> Situation: Core switch down[\s\S]*> Watch the UPS in closet B\./,
    )
    assert.match(doc, /Dana: active → resolved — Loop removed, network stable/)
    assert.match(doc, /Dana \(Decision\): Kept change on dhcp-hs on purpose: lease time cut to 1 hour/)
    assert.match(doc, /Dana \(Action\): Closet B is dark, UPS beeping/)
  }
  assert.equal(
    file.text
      .split('\n')
      .filter((l) => !l.startsWith('- Exported'))
      .join('\n'),
    markdown
      .split('\n')
      .filter((l) => !l.startsWith('- Exported'))
      .join('\n'),
  )

  // Back on the list: resolved, so no cadence; Dana holds no role any more.
  await page.getByRole('link', { name: 'Incidents' }).click()
  await page
    .getByRole('list', { name: 'Resolved incidents' })
    .getByText('Core switch down at the high school')
    .waitFor()
  assert.equal(await page.getByRole('list', { name: 'My roles' }).count(), 0)
  await context.close()
})

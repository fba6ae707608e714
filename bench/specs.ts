/**
 * Every figure the benchmark reports, its limit and its budget. The order is
 * the table's order. A limit named by `limitOf` is measured in the same run,
 * so the ratio stays meaningful on a busy or slower machine.
 */
import type { MetricSpec } from './lib/metrics'

export const SPECS: readonly MetricSpec[] = [
  {
    name: 'shell_gzip_kb',
    unit: 'kB gzip',
    budget: { on: 'value', op: '<=', n: 100 },
    about:
      'JS + CSS the first route (/incidents) loads, gzip -9, kB = 1000 bytes (aim ≤ 85): index.html entry, modulepreloads and stylesheets, plus every /assets file Chromium fetched before the app was interactive.',
  },
  {
    name: 'cold_start_offline_ms',
    unit: 'ms',
    limitOf: 'blank_page_offline_ms',
    budget: { on: 'ratio', op: '<=', n: 3 },
    about:
      'Offline, service worker in control but stopped, new tab: navigation start → "Declare incident" visible and enabled on /incidents. Median of 10 (1 warm-up), alternating with the blank page. Phone holds 3 incidents × 60 events.',
  },
  {
    name: 'blank_page_offline_ms',
    unit: 'ms',
    about: 'Limit: the same, for a precached page holding only that button (public/blank.html, no script).',
  },
  {
    name: 'cold_start_offline_4x_ms',
    unit: 'ms',
    limitOf: 'blank_page_offline_4x_ms',
    budget: { on: 'ratio', op: '<=', n: 3 },
    about: 'Cold start as above with the page CPU throttled 4× (CDP Emulation.setCPUThrottlingRate).',
  },
  { name: 'blank_page_offline_4x_ms', unit: 'ms', about: 'Limit: the blank page, 4× throttled.' },
  {
    name: 'log_entry_p95_ms',
    unit: 'ms',
    limitOf: 'raw_idb_put_p95_ms',
    budget: { on: 'value', op: '<=', n: 30 },
    about:
      'Incident with 10,000 timeline entries: click "Add to log" → entry in the Timeline (rendered only after its IndexedDB commit; all checked in IndexedDB after). p95 of 200 (5 warm-ups), or of those taken in 30 s (at least 40) when the app is slower than that.',
  },
  {
    name: 'raw_idb_put_p95_ms',
    unit: 'ms',
    about:
      'Limit: one put of a row of the same shape into a store with the same indexes, same page, until the transaction commits; interleaved with the entries, same count.',
  },
  {
    name: 'timeline_10k_render_ms',
    unit: 'ms',
    budget: { on: 'value', op: '<=', n: 150 },
    about:
      'In-app navigation from the list to the 10,000-entry incident: click → first animation frame with the "Timeline" list visible. Median of 5 (1 warm-up).',
  },
  {
    name: 'fold_100k_ms',
    unit: 'ms',
    limitOf: 'sort_100k_ms',
    about:
      'Node (tsx, src/domain/fold.ts): foldIncident over 100,000 events of one incident, realistic mix, arrival order. Median of 5 (1 warm-up).',
  },
  {
    name: 'sort_100k_ms',
    unit: 'ms',
    about: 'Limit: sorting the same 100,000 events by (hlc, id), interleaved with the folds.',
  },
  {
    name: 'fold_apply_one_us',
    unit: 'µs',
    about:
      'applyEvent of one new event onto a folded incident (10,000 → 30,000 events), median per event over batches of 100.',
  },
  {
    name: 'server_ingest_eps',
    unit: 'events/s',
    limitOf: 'raw_sqlite_insert_eps',
    budget: { on: 'value', op: '>=', n: 20_000 },
    about:
      'POST /api/events, 100,000 events in 500-event batches, one client, one request at a time, real server on 127.0.0.1.',
  },
  {
    name: 'publish_to_phone_ms',
    unit: 'ms',
    limitOf: 'event_to_phone_ms',
    budget: { on: 'value', op: '<=', n: 10_000 },
    about:
      'A joined phone shows runbook switch-down; another token proposes and publishes a new version (POST …/publish) → the page shows "Version N" (stream notice, catalogue and version fetched, compiled in the browser, stored in IndexedDB, re-rendered). Median of 5 (1 warm-up). Budget 10 s.',
  },
  {
    name: 'event_to_phone_ms',
    unit: 'ms',
    about:
      "Limit: POST /api/events of one event → the same phone's IndexedDB holds it (same stream, same run, polled every 10 ms), just before each publish.",
  },
  {
    name: 'sync_push_eps',
    unit: 'events/s',
    limitOf: 'raw_sqlite_insert_eps',
    about:
      'A phone with 20,000 pending events opens the join link; until every one is acknowledged in its IndexedDB (app start included). Stops after 25 s: then the rate of what was acknowledged by then.',
  },
  {
    name: 'sync_pull_eps',
    unit: 'events/s',
    limitOf: 'raw_idb_add_eps',
    budget: { on: 'ratio', op: '>=', n: 0.3 },
    about:
      "A fresh phone opens the join link and pulls the whole log (100,023 events: the ingested 100,000 and the fan-out test's; all active, so all held in full) into IndexedDB. Stops after 25 s: then the rate of what was stored by then. Timed from opening the link, so the app's start is in it.",
  },
  {
    name: 'raw_idb_add_eps',
    unit: 'events/s',
    about:
      "Limit: the rows a pull stores for the 100,000 ingested events, added by plain IndexedDB (IDBObjectStore.add) in the same browser, one transaction per pull page of 1,000, into a store with the app's key and indexes; the rows already in the page. Best of 2.",
  },
  {
    name: 'eight_windows_to_server_ms',
    unit: 'ms',
    limitOf: 'single_window_to_server_ms',
    budget: { on: 'value', op: '<=', n: 5000 },
    about:
      'One browser profile, eight windows of an incident over HTTP/1.1 (one sync engine: the leader window\'s), on a server of its own (an empty log, default limits): click "Add to log" in the eighth → the entry readable from GET /api/events (polled every 20 ms). Median of 5.',
  },
  {
    name: 'single_window_to_server_ms',
    unit: 'ms',
    about: 'Limit: the same from a single window of the same profile, just before the other seven open.',
  },
  {
    name: 'leader_takeover_ms',
    unit: 'ms',
    budget: { on: 'value', op: '<=', n: 2000 },
    about:
      "Close the window leading sync → another window's engine has its event stream open (its sync-stream-open performance mark). Median of 3 (8 → 5 windows).",
  },
  {
    name: 'raw_sqlite_insert_eps',
    unit: 'events/s',
    about:
      "Limit: the same 100,000 rows in one transaction through the server's openDatabase (schema, WAL, synchronous=FULL). Best of 2 (fsync time varies on a shared disk).",
  },
  {
    name: 'search_p95_ms',
    unit: 'ms',
    budget: { on: 'value', op: '<', n: 5 },
    about:
      "Runbook search, 600 runbooks (real corpus plus the Japanese field runbook, replicated, vocabulary per copy; CJK segmentation on at index and query time), queries typed keystroke by keystroke, typos, two words, misses, Japanese words; p95 over 3 timed passes of ≈ 280 queries (Node, the app's search-core, after a warm-up pass).",
  },
  {
    name: 'search_index_build_ms',
    unit: 'ms',
    about: 'Build and serialise the MiniSearch index of the 600 runbooks (build time). Median of 3.',
  },
  {
    name: 'search_index_load_ms',
    unit: 'ms',
    about: 'MiniSearch.loadJSON of that index: what a phone does on its first search. Median of 3.',
  },
  {
    name: 'incident_search_p95_ms',
    unit: 'ms',
    budget: { on: 'value', op: '<', n: 10 },
    about:
      'Incident list search, phone holding 2,000 incidents × 50 events (100,000), CPU throttled 4×: the app\'s incident-search-query measure (word → incident sets in MiniSearch\'s radix tree; prefix, typos, swapped letters) per keystroke of 30 queries typed into "Search incidents" (words, typos, two words, misses), 3 passes after a warm-up.',
  },
  {
    name: 'incident_search_build_ms',
    unit: 'ms',
    about:
      'Same phone, after a reload: the incident index built from nothing (load its code, index every event of every incident, in idle slices of about 8 ms), after the list is on screen. Not a budget: it never holds the list; search says "Preparing search…" until it is done.',
  },
  {
    name: 'incident_search_build_longest_task_ms',
    unit: 'ms',
    about:
      'The longest main-thread task (PerformanceObserver longtask) while that index was being built: whatever the page ran then (the list, sync start-up, the index). On a loaded machine the OS stretches tasks too.',
  },
  {
    name: 'incident_search_build_longest_slice_ms',
    unit: 'ms',
    budget: { on: 'value', op: '<=', n: 50 },
    about:
      "The longest slice of index work alone during that build (the app's incident-search-build-longest-slice measure, wall time): the index build must not block, i.e. never hold the thread for a long task (50 ms).",
  },
  {
    name: 'incident_list_cards_in_page',
    unit: 'cards',
    about:
      'Incident cards in the page on that phone with all 2,000 incidents listed: the list is windowed (@tanstack/vue-virtual).',
  },
  {
    name: 'sse_fanout_p95_ms',
    unit: 'ms',
    about: '200 open /api/events/stream clients; one event POSTed → all 200 have it. p95 of 20 posts (3 warm-ups).',
  },
  { name: 'server_rss_mb', unit: 'MB', about: 'Server process resident memory (VmRSS) with the 200 streams open.' },
  {
    name: 'json_stall_max_ms',
    unit: 'ms',
    budget: { on: 'value', op: '<=', n: 50 },
    about:
      "The server's longest event-loop stall (perf_hooks.monitorEventLoopDelay) while 4 clients POST a 600 KB deeply nested JSON body back to back (each refused 400 before parsing); the server alone in its process (bench/node/hostile.ts), the clients in another (bench/node/hostile-clients.ts), rate limit off. On a loaded machine this includes time the server was not scheduled: see json_stall_cpu_ms.",
  },
  {
    name: 'json_stall_cpu_ms',
    unit: 'ms',
    about:
      "CPU time the server process used inside its longest gap between two ticks of its loop (2 ms apart) (bench/lib/loop-stall.ts): near the stall, the server's own work held the loop; near 0, the machine did not schedule it.",
  },
  {
    name: 'json_busy_max_ms',
    unit: 'ms',
    budget: { on: 'value', op: '<=', n: 50 },
    about:
      'The most CPU the server used between any two ticks (2 ms apart) of its loop during that attack: the longest its own work can have held the loop, whatever the machine is doing.',
  },
  {
    name: 'json_health_p95_ms',
    unit: 'ms',
    budget: { on: 'value', op: '<=', n: 50 },
    about:
      'GET /api/health p95 over 200 requests, one after another, during that attack; timed on a thread apart from the attackers (bench/node/hostile-attackers.mjs), so it waits for the server only, not for the attacking loop.',
  },
  {
    name: 'slow_client_health_p95_ms',
    unit: 'ms',
    budget: { on: 'value', op: '<=', n: 100 },
    about:
      'GET /api/health p95 over 200 requests while 1,000 connections each hold a request half sent (in the headers or the body), default limits.',
  },
  {
    name: 'lighthouse_performance',
    unit: 'score',
    limitValue: 100,
    budget: { on: 'value', op: '>=', n: 100 },
    about:
      'Lighthouse 12.8, default (mobile) config, first visit to / as the server serves it; the median of 5 runs (computeMedianRun; BENCH_LIGHTHOUSE_RUNS).',
  },
  {
    name: 'lighthouse_accessibility',
    unit: 'score',
    limitValue: 100,
    budget: { on: 'value', op: '>=', n: 100 },
    about: 'Same run.',
  },
  {
    name: 'lighthouse_best_practices',
    unit: 'score',
    limitValue: 100,
    budget: { on: 'value', op: '>=', n: 100 },
    about: 'Same run.',
  },
  {
    name: 'axe_violations',
    unit: 'serious+critical',
    budget: { on: 'value', op: '<=', n: 0 },
    about: 'axe-core rule violations of impact serious or critical, summed over every screen in light and dark mode.',
  },
  { name: 'axe_violations_minor', unit: 'minor+moderate', about: 'The other axe violations, reported, no budget.' },
  {
    name: 'email_post_to_smtp_p50_ms',
    unit: 'ms',
    about:
      'POST /api/events of an update to a one-address audience (real server, SQLite with fsync) → the SMTP server (smtp-server, 127.0.0.1) has answered 250 to the message. Median of 30 (2 warm-ups), one after another.',
  },
  {
    name: 'email_post_to_smtp_p95_ms',
    unit: 'ms',
    budget: { on: 'value', op: '<=', n: 2000 },
    about: 'The same, p95 of 30.',
  },
  {
    name: 'email_post_to_smtp_50_ms',
    unit: 'ms',
    about:
      'An update to a 50-address audience: POST → the 50th message accepted (one message per address over one pooled connection, send rate set high so it does not pace it). One run.',
  },
]

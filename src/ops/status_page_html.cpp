// The status page's HTML: one document with its style and script inline (no external assets, so it
// works on a shop's closed network and under a Content-Security-Policy that names both by hash). The
// script polls status.json, draws the charts as inline SVG, and sends replays with the token the operator
// typed, kept in this tab's sessionStorage only. Data is only ever set as text, never parsed as HTML.
#include <odoosync/ops/status_page.hpp>

namespace odoosync {
inline namespace v0 {
namespace ops {

namespace {

constexpr std::string_view page = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>odoosync status</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:0 1rem 2rem;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}caption{text-align:left;color:#555;padding:.2rem 0}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#17692a}.bad{color:#b00020;font-weight:600}.unknown{color:#777;font-style:italic}
.err{max-width:28rem;white-space:pre-wrap;word-break:break-word;font-size:.85rem}
#errors p{background:#fde7ea;border-left:4px solid #b00020;padding:.4rem .6rem}
svg{width:100%;max-width:50rem;height:auto;background:#fafafa;border:1px solid #ddd}
.axis{stroke:#888}.grid{font-size:11px;fill:#555}
.s0{stroke:#1f5fbf;fill:#1f5fbf}.s1{stroke:#c8650a;fill:#c8650a}.line{fill:none;stroke-width:2}
.target{stroke:#b00020;stroke-dasharray:5 4}.tlabel{fill:#b00020;font-size:11px}
.key0{color:#1f5fbf}.key1{color:#c8650a}
button{font:inherit;padding:.2rem .6rem}
</style>
</head>
<body>
<header>
<h1>odoosync status</h1>
<p id="updated" aria-live="polite">Loading…</p>
<button id="refresh" type="button">Refresh now</button>
</header>
<div id="errors" role="alert"></div>
<main>
<section aria-labelledby="h-lanes">
<h2 id="h-lanes">Lanes</h2>
<table id="lanes">
<caption>Events waiting for Odoo per lane; freshness is how long the oldest has waited, against its target.</caption>
<thead><tr><th scope="col">Lane</th><th scope="col" class="n">Queued</th><th scope="col" class="n">In flight</th>
<th scope="col" class="n">Dead letters</th><th scope="col" class="n">Applied</th><th scope="col" class="n">Oldest waiting</th>
<th scope="col" class="n">Target</th><th scope="col">Freshness</th></tr></thead>
<tbody></tbody>
</table>
<p>Circuit breaker towards Odoo: <strong id="breaker">unknown</strong></p>
</section>
<section aria-labelledby="h-history">
<h2 id="h-history">The last hours</h2>
<p id="history-note"></p>
<figure>
<figcaption id="cap-backlog">Backlog: events queued per lane (<span class="key0">realtime</span>, <span class="key1">bulk</span>)</figcaption>
<svg id="chart-backlog" role="img" aria-labelledby="cap-backlog alt-backlog" viewBox="0 0 640 220"></svg>
<p id="alt-backlog"></p>
</figure>
<figure>
<figcaption id="cap-fresh">Freshness: age of the oldest event waiting, per lane, with the realtime target dashed</figcaption>
<svg id="chart-fresh" role="img" aria-labelledby="cap-fresh alt-fresh" viewBox="0 0 640 220"></svg>
<p id="alt-fresh"></p>
</figure>
<details>
<summary>The history as a table</summary>
<table id="history">
<caption>Per point: backlog, oldest waiting, and events taken in, applied and dead-lettered since the point before.</caption>
<thead><tr><th scope="col">Time (UTC)</th><th scope="col">Lane</th><th scope="col" class="n">Backlog</th><th scope="col" class="n">Oldest waiting</th>
<th scope="col" class="n">Taken in</th><th scope="col" class="n">Applied</th><th scope="col" class="n">Dead</th></tr></thead>
<tbody></tbody>
</table>
</details>
</section>
<section aria-labelledby="h-dead">
<h2 id="h-dead">Dead letters</h2>
<p id="dead-summary"></p>
<p id="replay-state"></p>
<p><label for="token">Replay token</label> <input id="token" type="password" autocomplete="off" size="32">
<button id="token-use" type="button">Use token</button> <button id="token-forget" type="button">Forget token</button></p>
<p id="replay-result" role="status" aria-live="polite"></p>
<table id="dead">
<caption>Events odoosync gave up on, with the error; a replay queues one again (it is probed in Odoo first).</caption>
<thead><tr><th scope="col">Source</th><th scope="col">Id</th><th scope="col">Type</th><th scope="col">Subject</th><th scope="col">Lane</th>
<th scope="col" class="n">Attempts</th><th scope="col">Dead since (UTC)</th><th scope="col">Error</th><th scope="col">Action</th></tr></thead>
<tbody></tbody>
</table>
<p><button id="dead-first" type="button">First page</button> <button id="dead-next" type="button">Next page</button></p>
</section>
<section aria-labelledby="h-channels">
<h2 id="h-channels">Channel deliveries</h2>
<p id="channels-note"></p>
<table id="channels">
<caption>Webhook deliveries per channel since this process started.</caption>
<thead><tr><th scope="col">Channel</th><th scope="col" class="n">Accepted</th><th scope="col" class="n">Duplicate</th>
<th scope="col" class="n">Ignored</th><th scope="col" class="n">Refused</th><th scope="col" class="n">Failed</th><th scope="col" class="n">Events</th></tr></thead>
<tbody></tbody>
</table>
</section>
</main>
<script>
'use strict';
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const KEY = 'odoosync-status-token';
let token = sessionStorage.getItem(KEY) || '';
let after = 0;
let last = null;
const known = (v) => v !== null && v !== undefined;
const num = (v) => (known(v) ? String(v) : 'unknown');
function dur(s) {
  if (!known(s)) return 'unknown';
  s = Math.round(s);
  const part = (n, unit, rest) => n + ' ' + unit + (rest ? ' ' + rest : '');
  if (s < 60) return s + ' s';
  if (s < 3600) return part(Math.floor(s / 60), 'min', s % 60 ? (s % 60) + ' s' : '');
  return part(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60) ? Math.floor((s % 3600) / 60) + ' min' : '');
}
// An axis label: short enough for the chart's margin.
function span(s) {
  if (s < 120) return Math.round(s) + ' s';
  if (s < 7200) return Math.round(s / 60) + ' min';
  return (s / 3600).toFixed(1) + ' h';
}
const utc = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const hm = (ms) => new Date(ms).toISOString().slice(11, 16);
function td(tr, text, cls, field) {
  const c = document.createElement('td');
  c.textContent = text;
  if (!known(text) || text === 'unknown') c.className = 'unknown';
  if (cls) c.className += ' ' + cls;
  if (field) c.dataset.field = field;
  tr.appendChild(c);
  return c;
}
function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}
function chart(svg, t, series, fmt, axis, target) {
  svg.replaceChildren();
  const W = 640, H = 220, L = 56, R = 12, T = 12, B = 28;
  const vals = series.flatMap((s) => s.values.filter(known));
  const max = Math.max(1, target || 0, ...vals);
  const span = Math.max(1, t[t.length - 1] - t[0]);
  const x = (i) => L + ((W - L - R) * (t[i] - t[0])) / span;
  const y = (v) => H - B - ((H - B - T) * v) / max;
  el('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis'}, svg);
  el('line', {x1: L, y1: T, x2: L, y2: H - B, class: 'axis'}, svg);
  el('text', {x: L - 4, y: T + 10, 'text-anchor': 'end', class: 'grid'}, svg).textContent = axis(max);
  el('text', {x: L - 4, y: H - B, 'text-anchor': 'end', class: 'grid'}, svg).textContent = '0';
  el('text', {x: L, y: H - 8, class: 'grid'}, svg).textContent = hm(t[0]) + ' UTC';
  el('text', {x: W - R, y: H - 8, 'text-anchor': 'end', class: 'grid'}, svg).textContent = hm(t[t.length - 1]) + ' UTC';
  if (target) {
    el('line', {x1: L, y1: y(target), x2: W - R, y2: y(target), class: 'target'}, svg);
    el('text', {x: W - R, y: y(target) - 3, 'text-anchor': 'end', class: 'tlabel'}, svg).textContent = 'target ' + fmt(target);
  }
  series.forEach((s, k) => {
    let d = '';
    s.values.forEach((v, i) => {
      if (!known(v)) return;
      d += (i > 0 && known(s.values[i - 1]) ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(v).toFixed(1);
    });
    if (d) el('path', {d: d, class: 'line s' + k, 'data-lane': s.name}, svg);
    s.values.forEach((v, i) => {
      if (!known(v)) return;
      const c = el('circle', {cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 2.5, class: 'point s' + k,
                              'data-lane': s.name, 'data-t': t[i], 'data-value': v}, svg);
      el('title', {}, c).textContent = s.name + ' at ' + hm(t[i]) + ' UTC: ' + fmt(v);
    });
  });
}
function describe(series, fmt) {
  return series.map((s) => {
    const v = s.values.filter(known);
    if (!v.length) return s.name + ': unknown';
    return s.name + ': now ' + fmt(s.values[s.values.length - 1]) + ', highest ' + fmt(Math.max(...v));
  }).join('; ') + '.';
}
function render(s) {
  last = s;
  $('updated').textContent = 'Updated ' + utc(s.now_ms) + ' UTC (every 15 s)';
  const errs = s.errors.concat(s.dead_letters.error ? [s.dead_letters.error] : []).concat(s.history.error ? ['the history could not be read: ' + s.history.error] : []);
  $('errors').replaceChildren(...errs.map((e) => { const p = document.createElement('p'); p.textContent = e; return p; }));
  $('lanes').tBodies[0].replaceChildren(...s.lanes.map((l) => {
    const tr = document.createElement('tr');
    tr.dataset.lane = l.lane;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = l.lane;
    tr.appendChild(th);
    td(tr, num(l.depth), 'n', 'depth');
    td(tr, num(l.in_flight), 'n', 'in_flight');
    td(tr, num(l.dead), 'n', 'dead');
    td(tr, num(l.applied), 'n', 'applied');
    const age = td(tr, dur(l.oldest_pending_age_s), 'n', 'oldest');
    if (known(l.oldest_pending_age_s)) age.dataset.seconds = l.oldest_pending_age_s;
    td(tr, dur(l.target_s), 'n', 'target');
    td(tr, !known(l.fresh) ? 'unknown' : l.fresh ? 'within target' : 'over target', !known(l.fresh) ? '' : l.fresh ? 'ok' : 'bad', 'fresh');
    return tr;
  }));
  const b = s.breaker.state;
  $('breaker').textContent = b === 'not_sending' ? 'not sending from this process (intake only)' : b.replace('_', '-');
  $('breaker').className = b === 'open' ? 'bad' : b === 'closed' ? 'ok' : '';
  const h = s.history;
  $('history-note').textContent = (known(h.covered_from_ms) && h.covered_from_ms > h.t[0] ?
    'Known from ' + utc(h.covered_from_ms) + ' UTC on; earlier points are unknown. ' : '') +
    'One point every ' + dur(h.step_s) + ' over ' + dur(h.window_s) + ', rebuilt from the store.';
  const backlog = h.lanes.map((l) => ({name: l.lane, values: l.backlog}));
  const fresh = h.lanes.map((l) => ({name: l.lane, values: l.oldest_age_s}));
  chart($('chart-backlog'), h.t, backlog, num, num, 0);
  chart($('chart-fresh'), h.t, fresh, dur, span, s.lanes[0].target_s);
  $('alt-backlog').textContent = 'Backlog, ' + describe(backlog, num);
  $('alt-fresh').textContent = 'Oldest waiting, ' + describe(fresh, dur);
  const rows = [];
  for (let i = h.t.length - 1; i >= 0; --i) h.lanes.forEach((l) => {
    const tr = document.createElement('tr');
    td(tr, utc(h.t[i]));
    td(tr, l.lane);
    td(tr, num(l.backlog[i]), 'n');
    td(tr, dur(l.oldest_age_s[i]), 'n');
    td(tr, num(l.submitted[i]), 'n');
    td(tr, num(l.applied[i]), 'n');
    td(tr, num(l.dead[i]), 'n');
    rows.push(tr);
  });
  $('history').tBodies[0].replaceChildren(...rows);
  const dl = s.dead_letters;
  $('dead-summary').textContent = known(dl.total) ? dl.total + ' dead letter' + (dl.total === 1 ? '' : 's') +
    (dl.items.length < dl.total ? ', ' + dl.items.length + ' shown' + (dl.after ? ' (a later page)' : '') : '') : 'Dead letters: unknown';
  $('dead-summary').dataset.total = known(dl.total) ? dl.total : '';
  $('replay-state').textContent = s.replay.enabled ? 'Replay needs the token.' : 'Replay is off: ' + s.replay.why;
  for (const id of ['token', 'token-use', 'token-forget']) $(id).disabled = !s.replay.enabled;
  $('dead').tBodies[0].replaceChildren(...dl.items.map((e) => {
    const tr = document.createElement('tr');
    tr.dataset.source = e.source;
    tr.dataset.id = e.id;
    td(tr, e.source); td(tr, e.id); td(tr, e.type); td(tr, e.subject); td(tr, e.lane);
    td(tr, String(e.attempts), 'n'); td(tr, utc(e.died_ms)); td(tr, e.error, 'err');
    const c = document.createElement('td');
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'replay';
    btn.textContent = 'Replay';
    btn.setAttribute('aria-label', 'Replay ' + e.source + ' ' + e.id);
    btn.disabled = !s.replay.enabled;
    btn.addEventListener('click', () => replay(e.source, e.id, btn));
    c.appendChild(btn);
    tr.appendChild(c);
    return tr;
  }));
  $('dead-next').disabled = !known(dl.next_after);
  $('dead-first').disabled = !dl.after;
  $('channels-note').textContent = s.channels ? '' : 'No webhook receiver runs in this process.';
  $('channels').tBodies[0].replaceChildren(...(s.channels || []).map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.channel = c.name;
    td(tr, c.name);
    for (const k of ['accepted', 'duplicate', 'ignored', 'refused', 'failed', 'events']) td(tr, num(c[k]), 'n', k);
    return tr;
  }));
  document.body.dataset.loaded = String(s.now_ms);
}
async function poll() {
  try {
    const r = await fetch('status.json?after=' + after, {cache: 'no-store', credentials: 'omit'});
    if (!r.ok) throw new Error('status.json answered ' + r.status);
    render(await r.json());
  } catch (e) {
    const p = document.createElement('p');
    p.textContent = 'The status could not be read: ' + e.message + (last ? ' (showing ' + utc(last.now_ms) + ' UTC)' : '');
    $('errors').replaceChildren(p);
  }
}
async function replay(source, id, btn) {
  btn.disabled = true;
  const out = $('replay-result');
  const headers = {'Content-Type': 'application/json'};
  if (token) headers.Authorization = 'Bearer ' + token;
  try {
    const r = await fetch('status/replay', {method: 'POST', headers: headers, credentials: 'omit', cache: 'no-store',
                                            body: JSON.stringify({source: source, id: id})});
    const body = await r.json().catch(() => ({}));
    out.dataset.status = r.status;
    out.textContent = r.ok ? 'Replayed ' + source + ' ' + id + ': it is pending again.'
                           : 'Replay of ' + source + ' ' + id + ' refused (' + r.status + '): ' + (body.reason || r.statusText);
  } catch (e) {
    out.dataset.status = 'error';
    out.textContent = 'Replay of ' + source + ' ' + id + ' failed: ' + e.message;
  }
  await poll();
}
$('token-use').addEventListener('click', () => {
  token = $('token').value.trim();
  $('token').value = '';
  if (token) sessionStorage.setItem(KEY, token); else sessionStorage.removeItem(KEY);
  $('replay-result').textContent = token ? 'Token kept for this tab.' : 'No token.';
});
$('token-forget').addEventListener('click', () => {
  token = '';
  sessionStorage.removeItem(KEY);
  $('replay-result').textContent = 'Token forgotten.';
});
$('refresh').addEventListener('click', poll);
$('dead-next').addEventListener('click', () => { if (last && known(last.dead_letters.next_after)) { after = last.dead_letters.next_after; poll(); } });
$('dead-first').addEventListener('click', () => { after = 0; poll(); });
poll();
setInterval(poll, 15000);
</script>
</body>
</html>
)html";

}  // namespace

std::string_view status_page_html() noexcept { return page; }

}  // namespace ops
}  // namespace v0
}  // namespace odoosync

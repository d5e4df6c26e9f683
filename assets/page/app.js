// culturesim live: the page's script (no libraries, nothing from the
// internet). It reads the starting scenario from /api/scenario, turns the
// levers into scenario overrides (only for the levers that were moved, so
// an untouched page is the scenario exactly), asks /api/run after every
// change (one request at a time; the newest settings win, a long stale
// request is aborted, stale answers are ignored) and draws the charts as
// SVG in the house style of culturesim's figures.
'use strict';

const C = {
  blue: '#0072B2', verm: '#D55E00', green: '#009E73', orange: '#E69F00',
  ink: '#222222', muted: '#5f5f5f', grid: '#e4e4e4', axis: '#8c8c8c',
  blue90: '#d1e6f1', blue50: '#99c7e0', orange75: '#f9e7bf', verm75: '#f5d7bf', bar: '#f4d48c',
};
const TONE = { harm: C.verm, help: C.green, neutral: C.ink };
const SVGNS = 'http://www.w3.org/2000/svg';
const SIZES = [50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000];
const WHO = { team: 'team leader', unit: 'division head', top: 'top manager' };
const $ = (id) => document.getElementById(id);

const S = {
  base: null,      // GET /api/scenario
  plan: null,      // where the levers' events are in the scenario
  snap: null,      // control values right after loading (untouched = as written)
  org: null,       // the units a scope can pick (POST /api/org), for orgKey
  orgKey: '',
  sizes: [],
  last: null,      // last answer shown
  lastBody: null,  // the request it answered
  baseline: null,  // pinned answer, for compare mode
  seq: 0, timer: null, inflight: null, dirty: false,
  animate: true, shown: null, tween: 0, geom: null, hoverYear: null,
};

// ---------------------------------------------------------------- helpers

function num(x) {
  // A number as scenario text: short, exact enough, never "1e21"-style junk.
  return String(Number(Number(x).toPrecision(7)));
}
function toml(v) {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return num(v);
  return '{' + Object.entries(v).map(([k, x]) => `${k}=${toml(x)}`).join(',') + '}';
}
function constant(d) {
  if (typeof d === 'number') return d;
  if (d && d.dist === 'constant') return d.value;
  return null;
}
function distMean(d) {
  if (typeof d === 'number') return d;
  if (!d) return null;
  switch (d.dist) {
    case 'constant': return d.value;
    case 'beta': return d.a / (d.a + d.b);
    case 'uniform': return (d.min + d.max) / 2;
    case 'normal': return d.mean;
    default: return null;
  }
}
function yearsText(v) {
  if (v == null || !isFinite(v)) return '—';
  if (v < 0.95) return `${Math.max(1, Math.round(v * 12))} months`;
  if (Math.abs(v - 1) < 0.05) return '1 year';
  return `${v.toFixed(1)} years`;
}
function yearLabel(v) {
  // Quarters at most: a step of a week is no precision anyone needs here.
  return (Math.round(v * 4) / 4).toString();
}
function el(name, attrs, parent, text) {
  const e = document.createElementNS(SVGNS, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text != null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}
function html(tag, cls, text, parent) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}
const on = (e) => e.enabled !== false;

// ------------------------------------------------------ the scenario's levers

function makePlan(base) {
  // Event times in steps (the scenario writes real units, "26w" or "5y").
  const ev = (base.raw.events || []).map((e, i) => ({ ...e, ...(base.event_steps || [])[i] }));
  const find = (pred) => ev.findIndex(pred);
  const once = (e) => e.kind === 'replace_leader' && e.at != null && e.every == null;
  const shock = find((e) => once(e) && e.at > 0 && !(constant(e.alignment) >= 0.5));
  const ret = shock < 0 ? -1 : find((e) => once(e) && e.at > ev[shock].at && constant(e.alignment) >= 0.5);
  const all = (kind) => ev.map((e, i) => (e.kind === kind ? i : -1)).filter((i) => i >= 0);
  return {
    events: ev,
    y: base.years_per_step,
    spy: 1 / base.years_per_step,
    // A time of n steps, as the scenario format writes it ("26w").
    t: (n) => `${n}${{ day: 'd', week: 'w', month: 'm', quarter: 'q', year: 'y' }[base.time_unit] || 'w'}`,
    steps: base.steps,
    horizon: base.steps * base.years_per_step,
    shock, ret,
    learnathon: find((e) => e.kind === 'learnathon'),
    community: find((e) => e.kind === 'community_of_practice'),
    programmes: {
      leadership: all('learning_leadership'),
      practice: all('learning_practice'),
      mastery: all('personal_mastery'),
    },
  };
}

function scopeKind(scope) {
  if (scope === 'top') return 'top';
  if (/^unit:/.test(scope || '')) return 'unit';
  if (/^team:/.test(scope || '')) return 'team';
  return 'other';
}

/** Set every control to the scenario as written, then remember the values. */
function initControls() {
  const b = S.base, raw = b.raw, p = S.plan, ev = p.events;
  const set = (id, v) => { $(id).value = v; };
  set('alignment', distMean(raw.leaders.alignment) ?? 0.7);
  set('coupling', raw.culture.coupling);
  for (const k of ['leadership', 'practice', 'mastery']) {
    $('prog-' + k).checked = p.programmes[k].some((i) => on(ev[i]));
  }
  const L = p.learnathon >= 0 ? ev[p.learnathon] : null;
  $('learnathon').checked = !!L && on(L);
  set('commitment', (L && constant(L.commitment)) ?? 0.9);
  const CP = p.community >= 0 ? ev[p.community] : null;
  set('community', CP && on(CP) ? CP.density ?? 0.5 : 0);
  // turnover.base is a hazard per year: 1 − e^(−h) leave within a year.
  set('turnover', 100 * (1 - Math.exp(-raw.turnover.base)));
  set('formalization', raw.formalization.rate);
  const employees = b.chart ? b.org.employees : raw.org.employees;
  S.sizes = SIZES.filter((n) => n <= b.limits.employees);
  if (!S.sizes.includes(employees)) S.sizes.push(employees);
  S.sizes.sort((a, z) => a - z);
  $('size').max = S.sizes.length - 1;
  set('size', S.sizes.indexOf(employees));
  $('size').disabled = !!b.chart;
  const shock = p.shock >= 0 ? ev[p.shock] : null;
  $('shock').checked = !!shock && on(shock);
  const kind = shock ? scopeKind(shock.scope) : 'top';
  if (kind === 'other') {
    $('scope-other-label').hidden = false;
    $('scope-other-text').textContent = `as written (${shock.scope})`;
  }
  document.querySelector(`input[name=scope][value=${kind}]`).checked = true;
  fillPicker(kind, shock && (kind === 'unit' || kind === 'team') ? shock.scope.slice(5) : null);
  $('shock-year').max = Math.max(0.5, p.horizon - 0.25);
  set('shock-year', shock ? shock.at * p.y : Math.min(5, p.horizon / 2));
  const ret = p.ret >= 0 ? ev[p.ret] : null;
  $('return').checked = !!ret && on(ret);
  $('return-after').max = Math.max(1, Math.min(5, p.horizon / 2));
  set('return-after', ret ? (ret.at - shock.at) * p.y : 2);
  $('replicates').max = Math.min(50, b.limits.replicates);
  set('replicates', b.replicates);
  set('seed', b.seed);
  S.snap = readControls();
}

function readControls() {
  const out = {};
  for (const e of document.querySelectorAll('#levers input, #levers select')) {
    if (e.type === 'radio') { if (e.checked) out[e.name] = e.value; }
    else if (e.type === 'checkbox') out[e.id] = e.checked;
    else out[e.id] = e.value;
  }
  return out;
}
function restoreControls(values) {
  for (const e of document.querySelectorAll('#levers input, #levers select')) {
    if (e.type === 'radio') e.checked = values[e.name] === e.value;
    else if (e.type === 'checkbox') e.checked = values[e.id];
    else e.value = values[e.id];
  }
}
const val = (id) => Number($(id).value);
const changed = (key, now) => (now || readControls())[key] !== S.snap[key];

/** The shock's and the return's steps: as written unless moved. */
function shockSteps(now) {
  const p = S.plan, ev = p.events;
  const shock = changed('shock-year', now) || p.shock < 0
    ? Math.max(1, Math.min(p.steps - 1, Math.round(val('shock-year') / p.y)))
    : ev[p.shock].at;
  const after = changed('return-after', now) || p.ret < 0
    ? Math.max(1, Math.round(val('return-after') / p.y))
    : ev[p.ret].at - ev[p.shock].at;
  return { shock, ret: shock + after };
}

/** Whether the shock's scope is written from the page's choice: when the
 * choice moved, or when the organization changed under a named unit. */
function scopeFollows(now) {
  const named = now.scope === 'team' || now.scope === 'unit';
  return changed('scope', now) || (named && (changed('scope-pick', now) || changed('size', now) || changed('seed', now)));
}

/** The units of the organization a scope of this kind can name: the teams,
 * or the units between the top and the teams (from /api/org's tree). */
function pickable(kind) {
  const tree = (S.org && S.org.tree) || [];
  if (kind === 'team') return tree.filter((r) => r.team);
  if (kind === 'unit') return tree.filter((r) => !r.team && r.depth > 0);
  return [];
}

/** Fill the "which one" picker for `kind`, keeping `want` (or the current
 * choice) when the organization still has it. */
function fillPicker(kind, want) {
  const sel = $('scope-pick');
  const rows = pickable(kind);
  const keep = want ?? sel.value;
  sel.textContent = '';
  for (const r of rows) {
    const o = document.createElement('option');
    o.value = r.name;
    const pad = '\u00a0'.repeat(2 * Math.max(0, Math.min(r.depth - 1, 8)));
    const size = r.team ? `${r.headcount} people` : `${r.teams} team${r.teams === 1 ? '' : 's'}, ${r.headcount} people`;
    o.textContent = `${pad}${r.name} · ${size}${r.leader && r.leader !== r.name ? ` · led by ${r.leader}` : ''}`;
    sel.append(o);
  }
  if (rows.some((r) => r.name === keep)) sel.value = keep;
  $('scope-pick-label').hidden = rows.length === 0;
  if (S.org && S.org.tree_complete === false) sel.title = `the first ${S.org.tree.length} of ${S.org.units} units`;
}

/** The picked unit or team of the chosen kind (the first one by default). */
function picked(kind) {
  const name = $('scope-pick').value;
  const row = pickable(kind).find((r) => r.name === name);
  if (row) return { name: row.name, people: row.headcount, teams: row.teams };
  const d = kind === 'team' ? S.org.team : S.org.unit;
  return { name: d.name, people: d.people, teams: null };
}

/** The scope string of the chosen kind (null: keep the scenario's). */
function scopeString(kind) {
  if (kind === 'top') return 'top';
  if (kind === 'unit') return 'unit:' + picked('unit').name;
  if (kind === 'team') return 'team:' + picked('team').name;
  return null;
}

/** Overrides for the moved levers, in the syntax of `--set`. */
function overrides() {
  const now = readControls();
  const p = S.plan, ev = p.events, o = [];
  let next = ev.length;
  const set = (i, k, v) => o.push(`events.${i}.${k}=${toml(['at', 'every', 'start', 'until', 'duration'].includes(k) ? p.t(v) : v)}`);
  const append = (t) => o.push(`events.${next++}=${toml(t)}`);
  const yr = (years) => Math.round(years * p.spy);
  if (changed('alignment', now)) {
    const m = val('alignment');
    o.push(`leaders.alignment=${toml({ dist: 'beta', a: 10 * m, b: 10 * (1 - m) })}`);
  }
  if (changed('coupling', now)) o.push(`culture.coupling=${num(val('coupling'))}`);
  const PROG = {
    leadership: { kind: 'learning_leadership', at: 0, duration: 3, reach: 1.0, strength: 0.21, label: 'learning leadership programme' },
    practice: { kind: 'learning_practice', at: 0.5, duration: 2.5, reach: 0.8, strength: 0.52, label: 'learning practice teams' },
    mastery: { kind: 'personal_mastery', at: 0.5, duration: 2.5, reach: 0.5, strength: 0.26, label: 'personal mastery programme' },
  };
  for (const k of Object.keys(PROG)) {
    if (!changed('prog-' + k, now)) continue;
    const want = now['prog-' + k];
    if (p.programmes[k].length) p.programmes[k].forEach((i) => set(i, 'enabled', want));
    else if (want) {
      const d = PROG[k];
      append({ kind: d.kind, at: p.t(yr(d.at)), duration: p.t(Math.max(1, yr(d.duration))), reach: d.reach, strength: d.strength, label: d.label });
    }
  }
  const wantL = now.learnathon;
  if (p.learnathon >= 0) {
    if (changed('learnathon', now)) set(p.learnathon, 'enabled', wantL);
    if (wantL && changed('commitment', now)) set(p.learnathon, 'commitment', val('commitment'));
  } else if (wantL) {
    append({ kind: 'learnathon', every: p.t(Math.max(1, yr(1))), start: p.t(yr(0.77)), participation: 0.3, commitment: val('commitment'), label: 'Learnathon' });
  }
  if (changed('community', now)) {
    const x = val('community');
    if (p.community >= 0) {
      if (x === 0) set(p.community, 'enabled', false);
      else {
        set(p.community, 'density', x);
        if (!on(ev[p.community])) set(p.community, 'enabled', true);
      }
    } else if (x > 0) {
      append({ kind: 'community_of_practice', at: 0, density: x, label: 'community of practice' });
    }
  }
  if (changed('turnover', now)) {
    const annual = val('turnover') / 100;
    o.push(`turnover.base=${num(-Math.log(1 - Math.min(annual, 0.999)))}`);
  }
  if (changed('formalization', now)) o.push(`formalization.rate=${num(val('formalization'))}`);
  if (!S.base.chart && changed('size', now)) o.push(`org.employees=${S.sizes[val('size')]}`);
  // Snow in the sun: the non-aligned manager, and the aligned one after.
  const shockOn = now.shock;
  const kind = now.scope;
  const scope = scopeString(kind);
  const scopeMoved = scopeFollows(now);
  const steps = shockSteps(now);
  if (p.shock >= 0) {
    if (changed('shock', now)) set(p.shock, 'enabled', shockOn);
    if (shockOn && steps.shock !== ev[p.shock].at) set(p.shock, 'at', steps.shock);
    if (shockOn && scopeMoved && scope) {
      set(p.shock, 'scope', scope);
      set(p.shock, 'label', `non-aligned ${WHO[kind]}`);
    }
  } else if (shockOn) {
    append({ kind: 'replace_leader', at: p.t(steps.shock), scope: scope || 'top', alignment: 0.05, adapt: false, label: `non-aligned ${WHO[kind] || 'manager'}` });
  }
  const retOn = shockOn && now.return && steps.ret < p.steps;
  if (p.ret >= 0) {
    if (retOn !== on(ev[p.ret])) set(p.ret, 'enabled', retOn);
    if (retOn && steps.ret !== ev[p.ret].at) set(p.ret, 'at', steps.ret);
    if (retOn && scopeMoved && scope) {
      set(p.ret, 'scope', scope);
      set(p.ret, 'label', `aligned ${WHO[kind]} returns`);
    }
  } else if (retOn) {
    const sc = scope || (p.shock >= 0 ? ev[p.shock].scope : 'top');
    append({ kind: 'replace_leader', at: p.t(steps.ret), scope: sc, alignment: 0.9, adapt: false, label: `aligned ${WHO[kind] || 'manager'} returns` });
  }
  return o;
}

/** The moved levers in plain words. */
function describeChanges() {
  const now = readControls(), out = [];
  const say = (key, text) => { if (changed(key, now)) out.push(text); };
  say('alignment', `managers' alignment ${val('alignment').toFixed(2)}`);
  say('coupling', val('coupling') === 0 ? 'loop off' : `loop ×${val('coupling').toFixed(1)}`);
  say('prog-leadership', `learning leadership ${now['prog-leadership'] ? 'on' : 'off'}`);
  say('prog-practice', `learning practice teams ${now['prog-practice'] ? 'on' : 'off'}`);
  say('prog-mastery', `personal mastery ${now['prog-mastery'] ? 'on' : 'off'}`);
  say('learnathon', `Learnathon ${now.learnathon ? 'on' : 'off'}`);
  if (now.learnathon) say('commitment', `Learnathon commitment ${Math.round(val('commitment') * 100)}%`);
  say('community', val('community') ? `community of practice ${Math.round(val('community') * 100)}%` : 'no community of practice');
  say('turnover', `turnover ${val('turnover').toFixed(1)}%/year`);
  say('formalization', `formalization ${val('formalization').toFixed(2)} per year`);
  say('size', `${S.sizes[val('size')]} people`);
  say('shock', now.shock ? 'non-aligned manager' : 'no non-aligned manager');
  if (now.shock) {
    say('scope', `a ${WHO[now.scope] || 'manager'}`);
    if (now.scope === 'unit' || now.scope === 'team') say('scope-pick', `${now.scope} ${picked(now.scope).name}`);
    say('shock-year', `arrives in year ${yearLabel(val('shock-year'))}`);
    say('return', now.return ? 'replaced later' : 'not replaced');
    if (now.return) say('return-after', `replaced after ${yearsText(val('return-after'))}`);
  }
  say('replicates', `${val('replicates')} runs`);
  say('seed', `seed ${$('seed').value}`);
  return out;
}

// ------------------------------------------------------------- the outputs

function updateOutputs() {
  const now = readControls(), p = S.plan, b = S.base;
  const out = (id, text) => { $(id + '-out').textContent = text; };
  out('alignment', val('alignment').toFixed(2));
  out('coupling', val('coupling') === 0 ? 'off' : `×${val('coupling').toFixed(1)}`);
  out('commitment', `${Math.round(val('commitment') * 100)}%`);
  out('community', val('community') === 0 ? 'none' : `${Math.round(val('community') * 100)}% of staff`);
  out('turnover', `${val('turnover').toFixed(1)}% a year`);
  const f = val('formalization');
  out('formalization', f === 0 ? 'not at all' : f < 0.75 ? 'a little' : f < 1.8 ? 'routinely' : 'thoroughly');
  out('size', b.chart ? `${b.org.employees} people (org chart)` : `${S.sizes[val('size')].toLocaleString('en')} people`);
  const steps = shockSteps(now);
  out('shock-year', yearLabel(changed('shock-year', now) ? val('shock-year') : steps.shock * p.y));
  const after = (steps.ret - steps.shock) * p.y;
  out('return-after', steps.ret < p.steps ? yearsText(after) : `${yearsText(after)} (after the end)`);
  out('replicates', val('replicates'));
  $('shock-details').classList.toggle('off', !now.shock);
  $('return-details').classList.toggle('off', !now.shock || !now.return);
  $('learnathon-details').classList.toggle('off', !now.learnathon);
  const org = S.org;
  const team = picked('team'), unit = picked('unit');
  const hint = {
    team: `team ${team.name}: ${team.people} people`,
    unit: `unit ${unit.name}: ${unit.teams != null ? `${unit.teams} team${unit.teams === 1 ? '' : 's'}, ` : ''}${unit.people} people`,
    top: `everyone: ${org.top.people.toLocaleString('en')} people in ${org.teams} teams`,
    other: 'the leaders the scenario names',
  }[now.scope];
  const written = p.shock >= 0 ? p.events[p.shock].scope : null;
  const asWritten = written && (now.scope === 'team' || now.scope === 'unit') && !scopeFollows(now) && scopeKind(written) === now.scope;
  $('scope-hint').textContent = asWritten ? `${now.scope} ${written.slice(5)} (as the scenario has it)` : hint;
  const ch = describeChanges();
  $('changes').textContent = ch.length ? `Changed: ${ch.join('; ')}.` : 'The scenario as written.';
}

function setStatus(kind, text) {
  const s = $('status');
  s.classList.toggle('busy', kind === 'busy');
  s.classList.toggle('failed', kind === 'failed');
  $('status-text').textContent = text;
  $('culture-chart').classList.toggle('stale', kind === 'busy');
  $('panels').classList.toggle('stale', kind === 'busy');
}

// ---------------------------------------------------------------- requests

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function post(path, body, signal) {
  // Written by hand so that the seed goes out as its digits: JSON numbers
  // beyond 2^53 stay exact.
  const parts = [];
  for (const [k, v] of Object.entries(body)) {
    if (v == null) continue;
    if (k === 'seed') {
      if (!/^\d{1,20}$/.test(String(v))) throw new ApiError(400, `the seed must be a whole number, got '${v}'`);
      parts.push(`"seed":${v}`);
    } else {
      parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
  }
  const res = await fetch(path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{${parts.join(',')}}`, signal,
  });
  const data = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new ApiError(res.status, data.error || `${res.status}`);
  return data;
}

function orgKey() {
  return `${S.sizes[val('size')]}|${$('seed').value}`;
}

function schedule(delay) {
  clearTimeout(S.timer);
  S.timer = setTimeout(() => { S.timer = null; kick(); }, delay ?? 60);
}

function kick() {
  if (S.inflight) {
    S.dirty = true;
    // A long request for settings already left behind is not waited for.
    if (performance.now() - S.inflight.started > 700) S.inflight.controller.abort();
    return;
  }
  S.dirty = false;
  request();
}

async function request() {
  const seq = ++S.seq;
  const controller = new AbortController();
  S.inflight = { controller, started: performance.now() };
  setStatus('busy', 'updating…');
  const seedMoved = changed('seed');
  const seed = seedMoved ? $('seed').value : null;
  try {
    const key = orgKey();
    const now = readControls();
    if (key !== S.orgKey && (now.scope === 'team' || now.scope === 'unit') && scopeFollows(now)) {
      // Unit names depend on the organization: ask for the new one's first.
      const size = !S.base.chart && changed('size', now) ? [`org.employees=${S.sizes[val('size')]}`] : [];
      S.org = await post('/api/org', { overrides: size, seed }, controller.signal);
      S.orgKey = key;
      fillPicker(now.scope);
    }
    const body = { overrides: overrides(), replicates: val('replicates'), seed };
    const t0 = performance.now();
    const res = await post('/api/run', body, controller.signal);
    if (seq !== S.seq) return;
    S.org = res.org;
    S.orgKey = key;
    fillPicker(readControls().scope);
    S.last = res;
    S.lastBody = body;
    $('error').hidden = true;
    const ms = Math.round(performance.now() - t0);
    const t1 = performance.now();
    render();
    S.timing = { answer: ms, draw: Math.round(performance.now() - t1), compute: res.compute_ms };
    const sc = res.scenario;
    setStatus('ok', `${sc.replicates} runs × ${res.org.employees.toLocaleString('en')} people × ${Math.round(sc.steps * sc.years_per_step * 10) / 10} years · answered in ${ms} ms`);
    updateOutputs();
  } catch (e) {
    if (seq !== S.seq || e.name === 'AbortError') return;
    showError(e);
  } finally {
    S.inflight = null;
    if (S.dirty) kick();
  }
}

function showError(e) {
  const box = $('error');
  box.hidden = false;
  box.textContent = '';
  html('strong', null, e instanceof ApiError ? 'These settings cannot be run:' : 'The server cannot be reached:', box);
  html('pre', null, e.message, box);
  if (S.last) html('p', 'hint', 'The charts still show the last settings that could be run.', box);
  setStatus('failed', e instanceof ApiError ? `not run (${e.status})` : 'no answer');
}

// ----------------------------------------------------------------- drawing

function ticks(lo, hi, n) {
  const span = hi - lo;
  const raw = span / Math.max(1, n);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v / step) * step);
  return { values: out, step };
}

function pathOf(xs, ys) {
  let d = '', pen = false;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (y == null || !isFinite(y)) { pen = false; continue; }
    d += (pen ? 'L' : 'M') + xs[i].toFixed(1) + ',' + y.toFixed(1);
    pen = true;
  }
  return d;
}

function bandOf(xs, lo, hi) {
  const top = [], bottom = [];
  for (let i = 0; i < xs.length; i++) {
    if (lo[i] == null || hi[i] == null) continue;
    top.push(xs[i].toFixed(1) + ',' + hi[i].toFixed(1));
    bottom.push(xs[i].toFixed(1) + ',' + lo[i].toFixed(1));
  }
  return top.length ? 'M' + top.join('L') + 'L' + bottom.reverse().join('L') + 'Z' : '';
}

/** Place labels (x, width) into rows so that none overlap. */
function pack(items, gap) {
  const ends = [];
  for (const it of items) {
    let row = ends.findIndex((end) => end + gap <= it.x0);
    if (row < 0) { row = ends.length; ends.push(-Infinity); }
    ends[row] = it.x1;
    it.row = row;
  }
  return ends.length;
}
const textWidth = (s, size, bold) => s.length * size * (bold ? 0.62 : 0.57);

function lerpSeries(a, b, t) {
  if (!a || !b || a.length !== b.length) return b;
  return b.map((v, i) => (v == null || a[i] == null ? v : a[i] + (v - a[i]) * t));
}
function lerpBands(a, b, t) {
  if (!a) return b;
  const out = {};
  for (const k of Object.keys(b)) out[k] = lerpSeries(a[k], b[k], t);
  return out;
}

function render() {
  const r = S.last;
  const target = r.series.culture;
  const from = S.shown;
  renderNumbers();
  renderFinding();
  renderPanels();
  renderLegend();
  renderCaption();
  renderFooter();
  cancelAnimationFrame(S.tween);
  if (!S.animate || !from || from.mean.length !== target.mean.length) {
    S.shown = target;
    drawCulture(target);
    return;
  }
  const t0 = performance.now();
  const step = () => {
    const t = Math.min(1, (performance.now() - t0) / 320);
    const e = 1 - Math.pow(1 - t, 3);
    S.shown = lerpBands(from, target, e);
    drawCulture(S.shown);
    if (t < 1) S.tween = requestAnimationFrame(step);
  };
  step();
}

/**
 * Width in user units of a chart drawn into `svg`: its width on the screen
 * (so that text of 15 units is 15 px tall, legible on a 1024×768 screen
 * too), kept between `min` and `max` (wider screens scale it up).
 */
function drawWidth(svg, min, max) {
  const w = svg.getBoundingClientRect().width;
  return Math.round(Math.max(min, Math.min(max, w || max)));
}

function drawCulture(bands) {
  const r = S.last, svg = $('culture-chart');
  const W = drawWidth(svg, 480, 1000), H = Math.round(Math.max(400, W * 0.48));
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const y = r.scenario.years_per_step;
  const n = bands.mean.length;
  const span = Math.max(y, (n - 1) * y);
  const tl = r.timeline;
  const base = S.baseline && S.baseline.series.culture;
  const left = 70, right = 80, bottom = 52;
  // The lane above the plot: programme bars, then labels of one-off
  // events and of recurring ones (once each).
  const xOf0 = (yr) => left + (yr / span) * (W - left - right);
  const bars = tl.spans.map((s) => ({ ...s, x0: xOf0(s.from), x1: Math.max(xOf0(s.to), xOf0(s.from) + textWidth(s.label, 14) + 14) }));
  const barRows = pack(bars.slice().sort((a, z) => a.x0 - z.x0), 4);
  const labels = [];
  for (const p of tl.points) {
    const w = textWidth(p.label, 15, true) + 8;
    const x = xOf0(p.year);
    const flip = x + w > W - 6;
    labels.push({ ...p, x, flip, x0: flip ? x - w : x, x1: flip ? x : x + w, light: false });
  }
  for (const rc of tl.recurring) {
    const w = textWidth(rc.label, 15, false) + 8;
    const x = xOf0(rc.years[0]);
    labels.push({ label: rc.label, tone: rc.tone, x, flip: false, x0: x, x1: x + w, light: true });
  }
  labels.sort((a, z) => a.x0 - z.x0);
  const labelRows = pack(labels, 6);
  const barH = 21, rowH = 20;
  const top = 8 + barRows * (barH + 3) + labelRows * rowH + 10;
  const plotTop = Math.max(top, 24);
  const xOf = xOf0;
  const local = r.local;
  const hi = Math.max(
    ...bands.p95.filter((v) => v != null),
    ...(base ? base.p95.filter((v) => v != null) : [0]),
    ...(local ? local.bands.p75.filter((v) => v != null) : [0]),
  );
  const ymax = hi > 0.78 ? 1 : 0.8;
  const yOf = (v) => H - bottom - (v / ymax) * (H - bottom - plotTop);
  svg.textContent = '';
  const g = el('g', {}, svg);
  // Grid and axes.
  for (const v of ticks(0, ymax, 4).values) {
    el('line', { x1: left, x2: W - right, y1: yOf(v), y2: yOf(v), stroke: C.grid, 'stroke-width': 1 }, g);
    el('text', { x: left - 8, y: yOf(v) + 5, 'text-anchor': 'end', class: 'tick' }, g, v.toFixed(1));
  }
  const xt = ticks(0, span, span > 14 ? 7 : Math.max(2, Math.round(span)));
  for (const v of xt.values) {
    if (v > span + 1e-9) continue;
    el('line', { x1: xOf(v), x2: xOf(v), y1: plotTop, y2: H - bottom, stroke: C.grid, 'stroke-width': 1 }, g);
    el('text', { x: xOf(v), y: H - bottom + 21, 'text-anchor': 'middle', class: 'tick' }, g, yearLabel(v));
  }
  el('line', { x1: left, x2: W - right, y1: H - bottom, y2: H - bottom, stroke: C.axis, 'stroke-width': 1.5 }, g);
  el('line', { x1: left, x2: left, y1: plotTop, y2: H - bottom, stroke: C.axis, 'stroke-width': 1.5 }, g);
  el('text', { x: (left + W - right) / 2, y: H - 8, 'text-anchor': 'middle', class: 'axis-title' }, g, 'time (years)');
  el('text', { x: 16, y: (plotTop + H - bottom) / 2, 'text-anchor': 'middle', class: 'axis-title', transform: `rotate(-90 16 ${(plotTop + H - bottom) / 2})` }, g, 'learning culture (0–1)');
  // Programmes.
  for (const b of bars) {
    const yb = 8 + b.row * (barH + 3);
    el('rect', { x: b.x0, y: yb, width: Math.max(4, b.x1 - b.x0), height: barH, rx: 4, fill: C.bar }, g);
    el('text', { x: b.x0 + 6, y: yb + 15.5, class: 'bar-label' }, g, b.label);
  }
  // Events.
  const laneTop = 8 + barRows * (barH + 3);
  for (const rc of tl.recurring) {
    for (const yr of rc.years) {
      if (yr > span) continue;
      el('line', { x1: xOf(yr), x2: xOf(yr), y1: plotTop, y2: H - bottom, stroke: TONE[rc.tone], 'stroke-width': 1.3, 'stroke-dasharray': '4 4', opacity: 0.55 }, g);
    }
  }
  for (const lb of labels) {
    const yl = laneTop + lb.row * rowH + 14;
    el('line', { x1: lb.x, x2: lb.x, y1: yl - 12, y2: plotTop, stroke: TONE[lb.tone], 'stroke-width': lb.light ? 1 : 2, opacity: lb.light ? 0.6 : 1 }, g);
    el('text', { x: lb.flip ? lb.x - 5 : lb.x + 5, y: yl, 'text-anchor': lb.flip ? 'end' : 'start', class: 'ev' + (lb.light ? ' light' : ''), fill: TONE[lb.tone] }, g, lb.label);
  }
  const xs = bands.mean.map((_, i) => xOf(i * y));
  const Y = (arr) => arr.map((v) => (v == null ? null : yOf(v)));
  // Baseline (compare mode), under the current curve.
  if (base && base.mean.length) {
    const bx = base.mean.map((_, i) => xOf(i * S.baseline.scenario.years_per_step));
    el('path', { d: bandOf(bx, Y(base.p25), Y(base.p75)), fill: C.orange75, opacity: 0.85 }, g);
    el('path', { d: pathOf(bx, Y(base.mean)), fill: 'none', stroke: C.orange, 'stroke-width': 3, 'stroke-linejoin': 'round', class: 'baseline-mean' }, g);
  }
  el('path', { d: bandOf(xs, Y(bands.p5), Y(bands.p95)), fill: C.blue90, opacity: base ? 0.75 : 1 }, g);
  el('path', { d: bandOf(xs, Y(bands.p25), Y(bands.p75)), fill: C.blue50, opacity: base ? 0.75 : 1 }, g);
  for (const p of tl.points) {
    if (p.year > span) continue;
    el('line', { x1: xOf(p.year), x2: xOf(p.year), y1: plotTop, y2: H - bottom, stroke: TONE[p.tone], 'stroke-width': 2 }, g);
  }
  if (local) {
    // The team or division the new manager leads: where the snow melts.
    const lx = local.bands.mean.map((_, j) => xOf(j * local.every * y));
    el('path', { d: bandOf(lx, Y(local.bands.p25), Y(local.bands.p75)), fill: C.verm75, opacity: 0.8 }, g);
    const lp = el('path', { d: pathOf(lx, Y(local.bands.mean)), fill: 'none', stroke: C.verm, 'stroke-width': 2.6, 'stroke-dasharray': '9 5', id: 'culture-local' }, g);
    lp.setAttribute('data-mean', JSON.stringify(local.bands.mean));
  }
  const mean = el('path', { d: pathOf(xs, Y(bands.mean)), fill: 'none', stroke: C.blue, 'stroke-width': 3.5, 'stroke-linejoin': 'round', id: 'culture-mean' }, g);
  const target = r.series.culture.mean;
  mean.setAttribute('data-mean', JSON.stringify(target.map((v) => (v == null ? null : Math.round(v * 1e4) / 1e4))));
  // End labels.
  const endLabel = (arr, xsArr, color, dy) => {
    const i = arr.length - 1;
    if (arr[i] == null) return;
    el('circle', { cx: xsArr[i], cy: yOf(arr[i]), r: 5.5, fill: color }, g);
    el('text', { x: xsArr[i] + 10, y: yOf(arr[i]) + 5 + dy, class: 'end', fill: color }, g, arr[i].toFixed(2));
  };
  let dyBase = 0, dyNow = 0;
  if (base && base.mean.length) {
    const a = base.mean[base.mean.length - 1], b = bands.mean[n - 1];
    if (a != null && b != null && Math.abs(yOf(a) - yOf(b)) < 18) {
      if (a > b) { dyBase = -9; dyNow = 9; } else { dyBase = 9; dyNow = -9; }
    }
    endLabel(base.mean, base.mean.map((_, i) => xOf(i * S.baseline.scenario.years_per_step)), '#b07a00', dyBase);
  }
  if (local) {
    const lm = local.bands.mean, j = lm.length - 1, lx = xOf(j * local.every * y);
    const a = lm[j], b = bands.mean[n - 1];
    if (a != null) {
      const clash = b != null && Math.abs(yOf(a) - yOf(b)) < 18;
      el('circle', { cx: lx, cy: yOf(a), r: 5, fill: C.verm }, g);
      el('text', { x: lx + 10, y: yOf(a) + 5 + (clash ? (a < b ? 10 : -10) : 0), class: 'end', fill: C.verm }, g, a.toFixed(2));
    }
  }
  endLabel(bands.mean, xs, C.blue, dyNow);
  S.geom = { left, right: W - right, top: plotTop, bottom: H - bottom, span, y, xOf, yOf, bands, base };
  if (S.hoverYear != null) drawHover(S.hoverYear);
}

/** A reading of the curves at one year, under the pointer. */
function drawHover(year) {
  const g = S.geom, svg = $('culture-chart');
  const old = $('hover');
  if (old) old.remove();
  if (!g) return;
  S.hoverYear = year;
  const i = Math.max(0, Math.min(g.bands.mean.length - 1, Math.round(year / g.y)));
  const v = g.bands.mean[i];
  if (v == null) return;
  const x = g.xOf(i * g.y);
  const grp = el('g', { id: 'hover', 'pointer-events': 'none' }, svg);
  el('line', { x1: x, x2: x, y1: g.top, y2: g.bottom, stroke: C.ink, 'stroke-width': 1, 'stroke-dasharray': '3 3' }, grp);
  el('circle', { cx: x, cy: g.yOf(v), r: 5, fill: C.blue, stroke: '#fff', 'stroke-width': 2 }, grp);
  const lines = [`year ${(i * g.y).toFixed(1)}: culture ${v.toFixed(2)}`];
  const lo = g.bands.p25[i], hi = g.bands.p75[i];
  if (lo != null && hi != null) lines.push(`middle half of runs ${lo.toFixed(2)}–${hi.toFixed(2)}`);
  if (g.base && g.base.mean[i] != null) {
    el('circle', { cx: x, cy: g.yOf(g.base.mean[i]), r: 4.5, fill: C.orange, stroke: '#fff', 'stroke-width': 2 }, grp);
    lines.push(`baseline ${g.base.mean[i].toFixed(2)}`);
  }
  const w = Math.max(...lines.map((l) => textWidth(l, 15, true))) + 16;
  const h = 10 + lines.length * 20;
  const bx = x + 12 + w > g.right ? x - 12 - w : x + 12;
  const by = g.top + 8;
  el('rect', { x: bx, y: by, width: w, height: h, rx: 5, class: 'hover-box' }, grp);
  lines.forEach((l, k) => el('text', { x: bx + 8, y: by + 21 + k * 20, class: 'hover-text', fill: k === 2 ? '#9a6a00' : C.ink }, grp, l));
}

function hideHover() {
  S.hoverYear = null;
  const old = $('hover');
  if (old) old.remove();
}

function attachHover() {
  const svg = $('culture-chart');
  svg.addEventListener('pointermove', (ev) => {
    const g = S.geom;
    if (!g) return;
    const pt = svg.createSVGPoint();
    pt.x = ev.clientX;
    pt.y = ev.clientY;
    const p = pt.matrixTransform(svg.getScreenCTM().inverse());
    if (p.x < g.left || p.x > g.right || p.y < g.top || p.y > g.bottom) hideHover();
    else drawHover(((p.x - g.left) / (g.right - g.left)) * g.span);
  });
  svg.addEventListener('pointerleave', hideHover);
}

/** What to call the unit a new manager leads. */
function unitWord(l) {
  return l.team ? 'team' : l.depth === 1 ? 'division' : 'unit';
}

function renderFinding() {
  const box = $('finding');
  box.textContent = '';
  const r = S.last, sh = shockNumbers(r), fin = finals(r);
  const put = (text, cls) => {
    if (cls == null) box.append(text);
    else html('b', cls, text, box);
  };
  const pct = (x) => `${Math.round(x * 100)}%`;
  if (sh && sh.note == null && sh.build != null && sh.lose != null && sh.asymmetry != null) {
    put(`Like for like — the same ${sh.band.toFixed(2)} of culture — it took `);
    put(yearsText(sh.build), 'blue');
    put(` to build it up to ${sh.pre.toFixed(2)}; after the ${sh.label} arrived in year ${yearLabel(sh.year)}, it took only `);
    put(yearsText(sh.lose), '');
    put(' to lose it: ');
    put(`${sh.asymmetry.toFixed(1)}× faster`, '');
    put(sh.recovered >= 0.5
      ? `. ${pct(sh.recovered)} of the runs came back to 95% of where they were.`
      : `. ${sh.recovered > 0 ? 'Only ' + pct(sh.recovered) : 'None'} of the runs came back to 95% of where they were.`);
  } else if (sh && (sh.loss || 0) < 0.01) {
    put(`The ${sh.label} (year ${yearLabel(sh.year)}) hardly moves the organization's culture, which ends at ${fin.culture.toFixed(2)}: the harm stays local.`);
  } else if (sh) {
    put(`The ${sh.label} (year ${yearLabel(sh.year)}) costs the organization at most ${pct(sh.loss)} of its culture, which ends at ${fin.culture.toFixed(2)}`);
    put(sh.note ? `; ${sh.note}.` : '.');
  } else {
    put(`Without a non-aligned manager the culture reaches ${fin.peak.toFixed(2)} and ends at ${fin.culture.toFixed(2)}.`);
  }
  const l = r.local;
  if (sh && l) {
    const from = Math.round(sh.year / (l.every * r.scenario.years_per_step));
    const before = l.bands.mean[Math.min(from, l.bands.mean.length - 1)];
    const after = l.bands.mean.slice(from).filter((v) => v != null);
    const low = Math.min(...after);
    const where = ` In ${unitWord(l)} ${l.name} itself, the culture`;
    if (before != null && after.length && low < before - 0.01) {
      put(`${where} falls from ${before.toFixed(2)} to `);
      put(low.toFixed(2), '');
      put('.');
    } else if (before != null) {
      put(`${where} holds at ${before.toFixed(2)}.`);
    }
    const u = sh.unit;
    if (u && u.note == null && u.asymmetry != null) {
      put(` Like for like, it is lost there ${u.asymmetry.toFixed(1)}× faster than it was built.`);
    } else if (u && u.note) {
      put(` There too, ${u.note}.`);
    }
  }
}

function renderLegend() {
  const box = $('legend');
  box.textContent = '';
  const key = (cls, text) => {
    const k = html('span', 'key', null, box);
    html('i', cls, null, k);
    html('span', null, text, k);
  };
  key('line sw-blue', S.baseline ? 'now (mean)' : 'mean');
  key('sw-blue50', 'middle 50% of runs');
  key('sw-blue90', '90% of runs');
  const l = S.last.local;
  if (l) key('line sw-verm', `${unitWord(l)} ${l.name} itself (${l.people} people)`);
  if (S.baseline) key('line sw-orange', `baseline: ${S.baseline.label}`);
}

function renderCaption() {
  const r = S.last;
  const people = r.org.employees.toLocaleString('en');
  $('caption').textContent =
    `The organization's learning culture (0 = none, 1 = a full learning organization), ` +
    `simulated ${r.scenario.replicates} times for an organization of ${people} people with these settings. ` +
    `The line is the average; the dark band holds the middle half of the runs, the light band nine in ten. ` +
    `Red lines harm the culture, green lines help it; bars at the top are programmes.` +
    (S.baseline ? ' The orange line is the pinned baseline.' : '');
}

function renderFooter() {
  const r = S.last, f = $('footer');
  f.textContent = '';
  f.append(`culturesim ${S.base.version} · started from “${S.base.name}” · seed ${r.scenario.seed} · ` +
    `everything here is computed on this machine. “Save as scenario” writes these settings as a file; `);
  html('code', null, 'culturesim run FILE', f);
  f.append(' reproduces these numbers exactly.');
}

/** The like-for-like shock numbers of one measured series (summary.json's
 * `shock`, or its `unit`): times in years. */
function shockStats(st) {
  const m = (k) => (st.mean[k] ? st.mean[k].mean : null);
  return {
    asymmetry: m('asymmetry'),
    rate: m('asymmetry_rate'),
    band: m('band'),
    build: m('years_to_build'),
    lose: m('years_to_lose'),
    half: m('years_to_half_loss'),
    loss: m('loss'),
    pre: m('pre'),
    rise: m('rise'),
    note: st.note == null ? null : st.note,
    recovered: st.recovered_share,
  };
}

function shockNumbers(r) {
  const sh = r.summary.shock;
  if (!sh) return null;
  const y = r.scenario.years_per_step;
  return Object.assign(shockStats(sh), {
    label: sh.event.label,
    year: sh.event.step * y,
    unit: sh.unit ? shockStats(sh.unit) : null,
  });
}

function finals(r) {
  const f = (k) => {
    const s = r.summary.metrics[k];
    return s && s.final_step ? s.final_step.mean : null;
  };
  const mean = r.series.culture.mean.filter((v) => v != null);
  return { culture: f('culture'), peak: Math.max(...mean), teams: f('teams_high'), engagement: f('engagement') };
}

function renderNumbers() {
  const box = $('numbers');
  box.textContent = '';
  const r = S.last, b = S.baseline;
  const now = shockNumbers(r), was = b ? shockNumbers(b) : null;
  const fin = finals(r), finWas = b ? finals(b) : null;
  const card = (cls, value, label, baseValue, id) => {
    const c = html('div', 'num ' + cls, null, box);
    if (id) c.id = id;
    html('div', 'value', value, c);
    html('div', 'label', label, c);
    if (b) {
      const w = html('div', 'was', 'baseline: ', c);
      html('b', null, baseValue, w);
    }
    if (value === '—') c.classList.add('empty');
  };
  const times = (x) => (x == null ? '—' : `${x.toFixed(1)}×`);
  const pct = (x) => (x == null ? '—' : `${Math.round(x * 100)}%`);
  const lvl = (x) => (x == null ? '—' : x.toFixed(2));
  if (now) {
    if (now.note == null) {
      const band = now.band == null ? 'it' : `${now.band.toFixed(2)} of culture`;
      card('harm', times(now.asymmetry), 'faster to lose than to build (like for like)', times(was && was.asymmetry), 'n-asymmetry');
      card('blue', yearsText(now.build), `to build ${band}`, yearsText(was && was.build), 'n-build');
      card('harm', yearsText(now.lose), `to lose the same after the ${now.label}`, yearsText(was && was.lose), 'n-lose');
    } else {
      card('', '—', now.note, times(was && was.asymmetry), 'n-asymmetry');
      card('', '—', 'no build-up to time', yearsText(was && was.build), 'n-build');
      card('harm', yearsText(now.half), `to lose half of the loss after the ${now.label}`, yearsText(was && was.half), 'n-lose');
    }
    card('', pct(now.loss), 'lost at the lowest point', pct(was && was.loss), 'n-loss');
    card(now.recovered >= 0.5 ? 'help' : 'harm', pct(now.recovered), 'of runs recovered to 95%', pct(was && was.recovered), 'n-recovered');
  } else {
    card('help', lvl(fin.peak), 'culture at its highest (0–1)', lvl(finWas && finWas.peak), 'n-peak');
    card('', pct(fin.teams), 'of teams with a learning culture at the end', pct(finWas && finWas.teams), 'n-teams');
    card('', pct(fin.engagement), 'of staff learning at the end', pct(finWas && finWas.engagement), 'n-engagement');
  }
  card('blue', lvl(fin.culture), 'culture at the end (0–1)', lvl(finWas && finWas.culture), 'n-final');
  // Margin before tipping: the support at the end above the lower edge of
  // the mean field's bistable window (docs/DECISIONS.md, "Early warning").
  const signed = (x) => (x == null ? '—' : `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(2)}`);
  const m = r.margin || {}, mWas = b ? (b.margin || {}) : null;
  const mLabel = m.margin == null
    ? 'margin before tipping: none to measure (no tipping point at these settings)'
    : `margin before tipping: support ${m.support.toFixed(2)} at the end; the culture tips below ${m.lower_edge.toFixed(2)}`;
  card(m.margin == null ? '' : (m.margin < 0.05 ? 'harm' : 'help'), signed(m.margin), mLabel, signed(mWas && mWas.margin), 'n-margin');
  if (!now) {
    const c = html('div', 'num empty', null, box);
    html('div', 'label', 'No non-aligned manager in these settings: switch one on to see the snow melt.', c);
  }
}

function renderPanels() {
  const box = $('panels');
  box.textContent = '';
  const r = S.last;
  const y = r.scenario.years_per_step;
  for (const p of S.base.panels) {
    const bands = r.series[p.metric];
    if (!bands) continue;
    const base = S.baseline && S.baseline.series[p.metric];
    const svg = el('svg', { role: 'img', 'aria-label': p.title }, box);
    const W = drawWidth(svg, 240, 320), H = 210, left = 50, right = 12, top = 32, bottom = 28;
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    const sc = (v) => (v == null ? null : v * p.scale);
    const all = [...bands.p5, ...bands.p95, ...(base ? [...base.p5, ...base.p95] : [])].filter((v) => v != null).map(sc);
    let lo = p.zero ? 0 : Math.min(...all), hi = Math.max(...all);
    if (!isFinite(lo) || !isFinite(hi)) { lo = 0; hi = 1; }
    if (hi - lo < 1e-9) hi = lo + 1;
    const t = ticks(lo, hi, 3);
    lo = Math.min(lo, t.values[0]);
    hi = Math.max(hi, t.values[t.values.length - 1] < hi ? t.values[t.values.length - 1] + t.step : t.values[t.values.length - 1]);
    const n = bands.mean.length, span = Math.max(y, (n - 1) * y);
    const xOf = (yr) => left + (yr / span) * (W - left - right);
    const yOf = (v) => H - bottom - ((v - lo) / (hi - lo)) * (H - top - bottom);
    el('text', { x: 4, y: 19, class: 'ptitle' }, svg, p.title);
    for (const v of ticks(lo, hi, 3).values) {
      el('line', { x1: left, x2: W - right, y1: yOf(v), y2: yOf(v), stroke: C.grid }, svg);
      el('text', { x: left - 6, y: yOf(v) + 4, 'text-anchor': 'end', class: 'tick' }, svg, v.toFixed(p.decimals));
    }
    for (const v of ticks(0, span, 5).values) {
      if (v > span + 1e-9) continue;
      el('text', { x: xOf(v), y: H - 8, 'text-anchor': 'middle', class: 'tick' }, svg, yearLabel(v));
    }
    el('line', { x1: left, x2: W - right, y1: H - bottom, y2: H - bottom, stroke: C.axis }, svg);
    for (const pt of r.timeline.points) {
      if (pt.year <= span) el('line', { x1: xOf(pt.year), x2: xOf(pt.year), y1: top, y2: H - bottom, stroke: TONE[pt.tone], 'stroke-width': 1.2, opacity: 0.8 }, svg);
    }
    const xs = bands.mean.map((_, i) => xOf(i * y));
    const Y = (arr) => arr.map((v) => (v == null ? null : yOf(sc(v))));
    if (base) {
      const bx = base.mean.map((_, i) => xOf(i * S.baseline.scenario.years_per_step));
      el('path', { d: pathOf(bx, Y(base.mean)), fill: 'none', stroke: C.orange, 'stroke-width': 2.2 }, svg);
    }
    el('path', { d: bandOf(xs, Y(bands.p5), Y(bands.p95)), fill: C.blue90, opacity: base ? 0.75 : 1 }, svg);
    el('path', { d: bandOf(xs, Y(bands.p25), Y(bands.p75)), fill: C.blue50, opacity: base ? 0.75 : 1 }, svg);
    el('path', { d: pathOf(xs, Y(bands.mean)), fill: 'none', stroke: C.blue, 'stroke-width': 2.4 }, svg);
  }
}

// ------------------------------------------------------- buttons and setup

function pin() {
  if (S.baseline) {
    S.baseline = null;
  } else if (S.last) {
    const ch = describeChanges();
    S.baseline = { ...S.last, label: ch.length ? ch.join(', ') : 'as written' };
  }
  $('pin').textContent = S.baseline ? 'Clear the baseline' : 'Pin as baseline to compare';
  $('pin').classList.toggle('pinned', !!S.baseline);
  if (S.last) render();
}

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The file "Save as scenario" writes: the resolved scenario of the
 * curves on the screen, with a note of where it came from. */
function savedScenario() {
  const r = S.last;
  const file = `${r.scenario.name}-live.toml`;
  const ch = describeChanges();
  const head = [
    `# Saved from the culturesim live page (culturesim ${S.base.version}), ${new Date().toISOString().slice(0, 10)}.`,
    `# Started from "${S.base.name}"; ${ch.length ? 'changed: ' + ch.join('; ') : 'nothing changed'}.`,
    `# culturesim run ${file} reproduces the page's numbers exactly.`,
    r.chart ? '# The organization comes from org-chart.csv (saved with this file): keep them together.' : null,
    '',
  ].filter((l) => l != null).join('\n');
  return { file, text: head + '\n' + r.toml, chart: r.chart };
}

function save() {
  if (!S.last) return;
  const saved = savedScenario();
  download(saved.file, saved.text, 'application/toml');
  if (saved.chart) download('org-chart.csv', saved.chart, 'text/csv');
}

function reset() {
  restoreControls(S.snap);
  fillPicker(S.snap.scope, S.snap['scope-pick']);
  updateOutputs();
  schedule(0);
}

function onInput(e) {
  if (e && e.target && e.target.name === 'scope') fillPicker(e.target.value);
  updateOutputs();
  schedule();
}

// Test hook: ?actions=set:coupling=0|check:shock=off|radio:scope=unit|click:pin
// performs each action on the real controls, waits for the charts to
// settle, and logs what the chart then shows into #test-log.
function perform(action) {
  const [verb, rest] = [action.slice(0, action.indexOf(':')), action.slice(action.indexOf(':') + 1)];
  const [id, value] = rest.split('=');
  if (verb === 'set') {
    const e = $(id);
    e.value = value;
    e.dispatchEvent(new Event('input', { bubbles: true }));
    e.dispatchEvent(new Event('change', { bubbles: true }));
  } else if (verb === 'check') {
    const e = $(id);
    if (e.checked !== (value === 'on')) e.click();
  } else if (verb === 'radio') {
    document.querySelector(`input[name=${id}][value=${value}]`).click();
  } else if (verb === 'click') {
    $(id).click();
  } else if (verb === 'hover') {
    drawHover(Number(id));
  } else {
    throw new Error('unknown action ' + action);
  }
}

function settled() {
  return new Promise((resolve) => {
    const idle = () => !S.timer && !S.inflight && !S.dirty && (S.last || !$('error').hidden);
    const check = () => (idle() ? resolve() : setTimeout(check, 40));
    setTimeout(check, 120);
  });
}

function snapshot(action) {
  const mean = JSON.parse($('culture-mean').getAttribute('data-mean'));
  const y = S.last.scenario.years_per_step;
  const at = (yr) => mean[Math.min(mean.length - 1, Math.round(yr / y))];
  const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent);
  return {
    action,
    overrides: S.lastBody ? S.lastBody.overrides : [],
    points: mean.length,
    mean,
    final: mean[mean.length - 1],
    peak: Math.max(...mean.filter((v) => v != null)),
    year: [1, 2, 3, 4, 5, 6, 7, 8, 9].map(at),
    events: text('#culture-chart text.ev'),
    numbers: text('#numbers .num').map((t) => t.trim()),
    baseline: !!document.querySelector('#culture-chart .baseline-mean'),
    local: $('culture-local') ? JSON.parse($('culture-local').getAttribute('data-mean')) : null,
    finding: $('finding').textContent,
    error: $('error').hidden ? null : $('error').textContent,
    status: $('status-text').textContent,
    timing: S.timing,
    fonts: chartFonts(),
  };
}

/** The smallest text of the charts as drawn on the screen, in px (font
 * size times the chart's scale), overall and by class. */
function chartFonts() {
  const by = {};
  let min = Infinity, count = 0;
  for (const t of document.querySelectorAll('#culture-chart text, #panels svg text')) {
    const m = t.getScreenCTM();
    if (!m) continue;
    const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    const k = (t.closest('#panels') ? 'panel ' : 'culture ') + (t.getAttribute('class') || 'text');
    by[k] = Math.min(by[k] ?? Infinity, px);
    min = Math.min(min, px);
    count += 1;
  }
  return { min, count, by, window: [window.innerWidth, window.innerHeight] };
}

async function runActions(spec) {
  S.animate = false;
  const log = [];
  try {
    await settled();
    log.push(snapshot('initial'));
    for (const a of spec.split('|').filter(Boolean)) {
      perform(a);
      await settled();
      log.push(snapshot(a));
    }
  } catch (e) {
    log.push({ action: 'failed', error: String(e && e.stack || e) });
  }
  if (S.last) log.push({ action: 'saved', saved: savedScenario().text });
  $('test-log').textContent = JSON.stringify(log);
  document.body.setAttribute('data-test', 'done');
}

async function start() {
  try {
    const res = await fetch('/api/scenario');
    if (!res.ok) throw new ApiError(res.status, (await res.json()).error);
    S.base = await res.json();
  } catch (e) {
    showError(e);
    return;
  }
  const b = S.base;
  $('description').textContent = (b.description || b.name) +
    (b.posterior ? ' — ' + b.posterior : '');
  $('eyebrow').textContent = `culturesim · live · ${b.name}`;
  document.title = `culturesim live: ${b.name}`;
  S.plan = makePlan(b);
  S.org = b.org;
  initControls();
  S.orgKey = orgKey();
  updateOutputs();
  attachHover();
  $('levers').addEventListener('input', onInput);
  $('levers').addEventListener('submit', (e) => e.preventDefault());
  $('pin').addEventListener('click', pin);
  $('save').addEventListener('click', save);
  $('reset').addEventListener('click', reset);
  $('reseed').addEventListener('click', () => {
    $('seed').value = String(Math.floor(Math.random() * 4294967296));
    onInput();
  });
  const actions = new URLSearchParams(location.search).get('actions');
  if (new URLSearchParams(location.search).has('still')) S.animate = false;
  // Charts are drawn at their size on the screen: redrawn when it changes.
  window.addEventListener('resize', () => {
    clearTimeout(S.resized);
    S.resized = setTimeout(() => {
      if (!S.last) return;
      renderPanels();
      drawCulture(S.shown || S.last.series.culture);
    }, 150);
  });
  schedule(0);
  if (actions) runActions(actions);
}

start();

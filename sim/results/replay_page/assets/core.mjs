// Pure functions of the replay page: decoding columns, the state of a run at clock time t, live figures,
// time formats. No DOM here, so Node's test runner imports this module as it is (tests/replay/js/).
// Every lookup is a binary search: a redraw costs the same at any clock time, however long the run.

export const BUSY_STATES = ["outbound", "on_scene", "returning"];
export const OUTCOME_LINGER_S = 180; // an incident's final outcome stays on the map this long after it ends

const DTYPES = { f64: Float64Array, f32: Float32Array, i32: Int32Array, i16: Int16Array, u8: Uint8Array };

/** A column {dtype, b64} as its typed array (little-endian bytes, as every browser's typed arrays are). */
export function decodeColumn(column) {
  const binary = atob(column.b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new DTYPES[column.dtype](bytes.buffer);
}

/** Replace every column object inside `value` by its typed array (in place); returns `value`. */
export function decodeAll(value) {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeAll(value[i]);
    return value;
  }
  if (value && typeof value === "object") {
    if (typeof value.b64 === "string" && value.dtype in DTYPES) return decodeColumn(value);
    for (const key of Object.keys(value)) value[key] = decodeAll(value[key]);
  }
  return value;
}

/** The number of values of sorted `values` that are <= x (the index of the first one above x). */
export function countAtOrBefore(values, x) {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Linear-interpolation quantile of sorted values (numpy's default), NaN when empty. */
export function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
}

/** A boat at time t: position interpolated between its two samples around t, heading and state of the
 * sample at or before t (before its first sample: the first one). */
export function boatAt(boat, t) {
  const times = boat.t;
  const n = times.length;
  const i = Math.max(0, countAtOrBefore(times, t) - 1);
  let x = boat.x[i];
  let y = boat.y[i];
  if (i + 1 < n && t > times[i]) {
    const share = Math.min(1, (t - times[i]) / (times[i + 1] - times[i]));
    x += share * (boat.x[i + 1] - x);
    y += share * (boat.y[i + 1] - y);
  }
  return { x, y, heading: boat.heading[i], state: boat.state[i], index: i };
}

/** Trail of a boat over the `seconds` before t: flat [x0, y0, x1, y1, ...] ending at its position at t. */
export function trail(boat, t, seconds) {
  const from = countAtOrBefore(boat.t, t - seconds);
  const to = countAtOrBefore(boat.t, t);
  const points = [];
  if (from > 0 && to > 0) {
    const start = boatAt(boat, t - seconds);
    points.push(start.x, start.y);
  }
  for (let i = from; i < to; i++) points.push(boat.x[i], boat.y[i]);
  const now = boatAt(boat, t);
  points.push(now.x, now.y);
  return points;
}

/** When incident i ends: the offender left (after a warning or on their own), else its planned end. */
export function closeTime(incidents, i) {
  const left = incidents.t_offender_left[i];
  return Number.isNaN(left) ? incidents.t_end[i] : left;
}

/** The stage of incident i at t: null (not yet, or gone from the map), "undetected", "detected",
 * "dispatched", "on_scene", or "outcome" (ended less than OUTCOME_LINGER_S ago). */
export function incidentStage(incidents, i, t) {
  if (t < incidents.t_start[i]) return null;
  const close = closeTime(incidents, i);
  if (t >= close) return t < close + OUTCOME_LINGER_S ? "outcome" : null;
  if (incidents.t_boat_arrived[i] <= t) return "on_scene";
  if (incidents.t_dispatched[i] <= t) return "dispatched";
  if (incidents.t_detected[i] <= t) return "detected";
  return "undetected";
}

function sortedBy(count, key) {
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((a, b) => key(a) - key(b) || a - b);
  return order;
}

function sortedFloats(values) {
  return Float64Array.from(values).sort();
}

/** Prefix order statistics: after the k-th value (in the given order) arrives, its median and p90. */
function prefixQuantiles(values) {
  const sorted = [];
  const median = new Float64Array(values.length + 1).fill(NaN);
  const p90 = new Float64Array(values.length + 1).fill(NaN);
  values.forEach((value, k) => {
    sorted.splice(countAtOrBefore(sorted, value), 0, value);
    median[k + 1] = quantile(sorted, 0.5);
    p90[k + 1] = quantile(sorted, 0.9);
  });
  return { median, p90 };
}

/** Look-up tables of a decoded run, built once on load: sorted start times, warning times with running
 * response-time quantiles, detections and misses, false dispatches, missions per boat. */
export function buildIndex(run) {
  const inc = run.incidents;
  const n = inc.count;
  const byStart = sortedBy(n, (i) => inc.t_start[i]);
  let longest = 0;
  for (let i = 0; i < n; i++) longest = Math.max(longest, closeTime(inc, i) + OUTCOME_LINGER_S - inc.t_start[i]);
  const warned = sortedBy(n, (i) => inc.t_warning[i]).filter((i) => !Number.isNaN(inc.t_warning[i]));
  const detected = [];
  const missed = [];
  for (let i = 0; i < n; i++) {
    if (!Number.isNaN(inc.t_detected[i])) detected.push(inc.t_detected[i]);
    else if (closeTime(inc, i) <= run.duration_s) missed.push(closeTime(inc, i));
  }
  const mis = run.missions;
  const falseDispatch = [];
  const boatMissions = run.boat_ids.map(() => []);
  for (let m = 0; m < mis.count; m++) {
    if (mis.incident[m] < 0) falseDispatch.push(mis.t_assigned[m]);
    if (mis.boat[m] >= 0) boatMissions[mis.boat[m]].push(m);
  }
  for (const list of boatMissions) list.sort((a, b) => mis.t_assigned[a] - mis.t_assigned[b]);
  return {
    byStart,
    startTimes: Float64Array.from(byStart, (i) => inc.t_start[i]),
    longest,
    warnTimes: Float64Array.from(warned, (i) => inc.t_warning[i]),
    response: prefixQuantiles(warned.map((i) => inc.t_warning[i] - inc.t_start[i])),
    detectTimes: sortedFloats(detected),
    missTimes: sortedFloats(missed),
    falseDispatchTimes: sortedFloats(falseDispatch),
    boatMissions,
    boatMissionStarts: boatMissions.map((list) => Float64Array.from(list, (m) => mis.t_assigned[m])),
  };
}

/** Indices of the incidents on the map at t (started, and ended less than OUTCOME_LINGER_S ago). */
export function incidentsNear(run, index, t) {
  const found = [];
  const to = countAtOrBefore(index.startTimes, t);
  for (let k = to - 1; k >= 0 && index.startTimes[k] > t - index.longest; k--) {
    const i = index.byStart[k];
    if (incidentStage(run.incidents, i, t) !== null) found.push(i);
  }
  return found.reverse();
}

/** Ids of the incidents open at t: the offender is there (t_start <= t < close time). */
export function openIncidents(run, index, t) {
  const inc = run.incidents;
  return incidentsNear(run, index, t)
    .filter((i) => t < closeTime(inc, i))
    .map((i) => inc.id[i])
    .sort((a, b) => a - b);
}

/** The mission boat b is on at t (assigned at or before t, not yet done), or -1. */
export function missionAt(run, index, b, t) {
  const k = countAtOrBefore(index.boatMissionStarts[b], t) - 1;
  if (k < 0) return -1;
  const m = index.boatMissions[b][k];
  const done = run.missions.t_done[m];
  return Number.isNaN(done) || t < done ? m : -1;
}

/** Where drone sortie s is at t (out from its base, on station, back), or null when it is not flying. */
export function sortieAt(run, s, t) {
  const so = run.sorties;
  if (!(t >= so.t_depart[s]) || t >= (Number.isNaN(so.t_back[s]) ? Infinity : so.t_back[s])) return null;
  const base = run.scene.drone_bases[so.drone[s]] || { x: so.x[s], y: so.y[s] };
  const lerp = (a, b, share) => ({ x: a.x + share * (b.x - a.x), y: a.y + share * (b.y - a.y) });
  const station = { x: so.x[s], y: so.y[s] };
  if (t < so.t_arrive[s]) return lerp(base, station, (t - so.t_depart[s]) / (so.t_arrive[s] - so.t_depart[s]));
  if (Number.isNaN(so.t_leave[s]) || t < so.t_leave[s]) return station;
  return lerp(station, base, (t - so.t_leave[s]) / (so.t_back[s] - so.t_leave[s]));
}

/** The figures at t: open incidents, busy boats, detection rate so far (detected over detected plus
 * gone undetected), response time so far (median, p90 over incidents warned by t), false dispatches. */
export function figuresAt(run, index, t) {
  let busy = 0;
  for (const boat of run.boats) {
    if (BUSY_STATES.includes(run.state_names[boatAt(boat, t).state])) busy++;
  }
  const detected = countAtOrBefore(index.detectTimes, t);
  const judged = detected + countAtOrBefore(index.missTimes, t);
  const warned = countAtOrBefore(index.warnTimes, t);
  return {
    open: openIncidents(run, index, t).length,
    busy,
    boats: run.boats.length,
    detectionRate: judged ? detected / judged : NaN,
    responseMedian: index.response.median[warned],
    responseP90: index.response.p90[warned],
    responseN: warned,
    falseDispatches: countAtOrBefore(index.falseDispatchTimes, t),
  };
}

/** The index of the last event at or before t in the run's log (-1 before the first). */
export function eventIndexAt(run, t) {
  return countAtOrBefore(run.events.t, t) - 1;
}

/** What `window.replay.state()` returns for one run: positions in scenario metres. */
export function stateAt(run, index, t) {
  return {
    t,
    boats: run.boats.map((boat) => {
      const at = boatAt(boat, t);
      return { id: boat.id, x: at.x, y: at.y, state: run.state_names[at.state] };
    }),
    open_incidents: openIncidents(run, index, t),
    log_index: eventIndexAt(run, t),
  };
}

/** The embedded camera frame nearest t within `window` seconds, or null. Frames are sorted by t. */
export function nearestFrame(frames, t, window) {
  if (!frames.length) return null;
  let lo = 0;
  let hi = frames.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (frames[mid].t <= t) lo = mid + 1;
    else hi = mid;
  }
  const candidates = [frames[lo - 1], frames[lo]].filter(Boolean);
  candidates.sort((a, b) => Math.abs(a.t - t) - Math.abs(b.t - t));
  return Math.abs(candidates[0].t - t) <= window ? candidates[0] : null;
}

/** Run time t (s) as "d+HH:MM:SS" ("HH:MM:SS" on the first day). */
export function formatClock(t) {
  const total = Math.max(0, Math.floor(t));
  const days = Math.floor(total / 86400);
  const rest = total % 86400;
  const pad = (v) => String(v).padStart(2, "0");
  const text = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  return days ? `${days}d+${text}` : text;
}

/** The local time of day at run time t, given the run's ISO start ("2025-07-12T13:00:00"): "HH:MM". */
export function timeOfDay(start, t) {
  const match = /[T ](\d\d):(\d\d)(?::(\d\d))?/.exec(start || "");
  if (!match) return "";
  const seconds = (Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3] || 0) + t) % 86400;
  const pad = (v) => String(Math.floor(v)).padStart(2, "0");
  return `${pad(seconds / 3600)}:${pad((seconds % 3600) / 60)}`;
}

/** A typed time as seconds: "754", "754.5", "90s", "15m", "1h20m", "2d", "01:02:03", "1d+02:00:00";
 * null when it is none of these. */
export function parseTime(text) {
  const s = String(text).trim().toLowerCase().replace(/\s+/g, "");
  if (!s) return null;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const clock = /^(?:(\d+)d\+?)?(\d+):(\d\d)(?::(\d\d(?:\.\d+)?))?$/.exec(s);
  if (clock) {
    return Number(clock[1] || 0) * 86400 + Number(clock[2]) * 3600 + Number(clock[3]) * 60 + Number(clock[4] || 0);
  }
  const units = { d: 86400, h: 3600, m: 60, s: 1 };
  const parts = s.match(/\d+(?:\.\d+)?[dhms]/g);
  if (!parts || parts.join("") !== s) return null;
  return parts.reduce((sum, part) => sum + Number(part.slice(0, -1)) * units[part.slice(-1)], 0);
}

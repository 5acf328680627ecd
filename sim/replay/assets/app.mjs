// The page: reads the inlined data, builds the map(s) and panels, runs the clock, answers the keyboard and
// the mouse, and offers window.replay (seek, play, pause, state) for scripts and tests.
import { boatAt, buildIndex, decodeAll, formatClock, incidentStage, missionAt, parseTime, stateAt, timeOfDay } from "./core.mjs";
import { LAYERS, MapView } from "./draw.mjs";
import { CameraPanel, EventLog, Figures, Timeline } from "./panels.mjs";

const SPEEDS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 3600];

function start() {
  const data = decodeAll(JSON.parse(document.getElementById("replay-data").textContent));
  const runs = data.runs;
  const indexes = runs.map(buildIndex);
  const duration = Math.max(...runs.map((run) => run.duration_s));
  const $ = (selector) => document.querySelector(selector);
  const clock = { t: 0, playing: false, speed: 60, follow: -1, hover: null, dirty: true };
  const layers = Object.fromEntries(Object.keys(LAYERS).map((key) => [key, key !== "holes" && key !== "radio"]));

  $("#title").textContent = runs.length > 1 ? `${runs[0].label}  vs  ${runs[1].label}` : runs[0].label;
  $("#subtitle").textContent =
    `${runs[0].scenario} · seed ${runs[0].seed} · ${runs[0].mode} · ${formatClock(duration)} simulated`;
  const maps = $("#maps");
  const views = runs.map((run, r) => {
    const canvas = document.createElement("canvas");
    canvas.className = "map";
    maps.append(canvas);
    return new MapView(canvas, run, indexes[r], runs.length > 1 ? `${"AB"[r]} · ${run.label}` : "");
  });
  document.body.classList.toggle("side-by-side", runs.length > 1);
  const log = new EventLog($("#log"), runs, data.differences, (t) => seek(t));
  const figures = new Figures($("#figures"), runs, indexes);
  const timeline = new Timeline($("#track"), $("#lanes"), runs, duration, (t) => seek(t), data.differences);
  const camera = new CameraPanel($("#camera"), runs);
  const differences = $("#differences");
  if (data.differences.length) {
    differences.hidden = false;
    differences.textContent = `${data.differences.length} incident(s) end differently: ` +
      data.differences.slice(0, 6).map((d) => `#${d.incident} ${d.a.replace(/_/g, " ")} → ${d.b.replace(/_/g, " ")}`).join(", ") +
      (data.differences.length > 6 ? ", …" : "");
  }

  const timings = {};
  function timed(name, work) {
    const begin = performance.now();
    work();
    timings[name] = performance.now() - begin;
  }

  function redraw() {
    const t = clock.t;
    timed("map", () => views.forEach((view) => view.draw(t, layers, clock.follow, clock.hover)));
    timed("figures", () => figures.update(t));
    timed("log", () => log.setClock(t));
    timed("timeline", () => timeline.update(t));
    timed("camera", () => camera.update(t));
    $("#clock").textContent = formatClock(t);
    $("#time-of-day").textContent = timeOfDay(runs[0].start, t);
    $("#play").textContent = clock.playing ? "❚❚ pause" : "▶ play";
    $("#speed").value = String(clock.speed);
    clock.dirty = false;
  }

  function seek(t) {
    clock.t = Math.max(0, Math.min(duration, Number(t)));
    redraw();
  }

  function stepEvent(direction) {
    const times = log.times;
    let k = direction > 0 ? times.findIndex((v) => v > clock.t + 1e-6) : -1;
    if (direction < 0) for (let j = times.length - 1; j >= 0; j--) if (times[j] < clock.t - 1e-6) { k = j; break; }
    if (k >= 0) seek(times[k]);
  }

  function setSpeed(step) {
    const k = Math.max(0, Math.min(SPEEDS.length - 1, SPEEDS.indexOf(clock.speed) + step));
    clock.speed = SPEEDS[k];
    clock.dirty = true;
  }

  function play() {
    if (clock.t >= duration) clock.t = 0;
    clock.playing = true;
    clock.dirty = true;
  }

  function pause() {
    clock.playing = false;
    clock.dirty = true;
  }

  // Controls.
  const speed = $("#speed");
  for (const s of SPEEDS) speed.append(new Option(`${s}×`, String(s)));
  speed.addEventListener("change", () => (clock.speed = Number(speed.value)));
  $("#play").addEventListener("click", () => (clock.playing ? pause() : play()));
  $("#prev").addEventListener("click", () => stepEvent(-1));
  $("#next").addEventListener("click", () => stepEvent(1));
  const typed = $("#goto");
  typed.addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (event.key !== "Enter") return;
    const t = parseTime(typed.value);
    typed.classList.toggle("bad", t === null);
    if (t !== null) {
      seek(t);
      typed.blur();
    }
  });
  const layerBox = $("#layers");
  for (const [key, label] of Object.entries(LAYERS)) {
    const box = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.checked = layers[key];
    input.dataset.layer = key;
    input.addEventListener("change", () => {
      layers[key] = input.checked;
      clock.dirty = true;
    });
    box.append(input, ` ${label}`);
    layerBox.append(box);
  }
  $("#help-button").addEventListener("click", () => ($("#help").hidden = !$("#help").hidden));

  document.addEventListener("keydown", (event) => {
    const keys = {
      " ": () => (clock.playing ? pause() : play()),
      ArrowRight: () => (event.shiftKey ? seek(clock.t + 60) : stepEvent(1)),
      ArrowLeft: () => (event.shiftKey ? seek(clock.t - 60) : stepEvent(-1)),
      "+": () => setSpeed(1),
      "=": () => setSpeed(1),
      "-": () => setSpeed(-1),
      Home: () => seek(0),
      End: () => seek(duration),
      f: () => {
        clock.follow = (clock.follow + 1) % runs[0].boats.length;
        clock.dirty = true;
      },
      Escape: () => {
        clock.follow = -1;
        clock.dirty = true;
      },
      g: () => typed.focus(),
      "?": () => ($("#help").hidden = !$("#help").hidden),
    };
    if (keys[event.key]) {
      event.preventDefault();
      keys[event.key]();
    }
  });

  // The map: wheel zooms, dragging pans (both maps together), hover explains, a click on a boat follows it.
  const tooltip = $("#tooltip");
  views.forEach((view) => {
    let drag = null;
    const same = (source) => views.forEach((other) => {
      if (other !== source) {
        other.view = { ...source.view };
        other.staticKey = "";
      }
    });
    view.canvas.addEventListener("wheel", (event) => {
      event.preventDefault();
      const box = view.canvas.getBoundingClientRect();
      view.zoomAt(event.clientX - box.left, event.clientY - box.top, event.deltaY < 0 ? 1.2 : 1 / 1.2);
      same(view);
      clock.dirty = true;
    }, { passive: false });
    view.canvas.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, y: event.clientY, moved: false };
      view.canvas.setPointerCapture(event.pointerId);
    });
    view.canvas.addEventListener("pointermove", (event) => {
      const box = view.canvas.getBoundingClientRect();
      if (drag) {
        const dx = event.clientX - drag.x;
        const dy = event.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 2) {
          drag.moved = true;
          clock.follow = -1;
          view.panBy(dx, dy);
          same(view);
          drag.x = event.clientX;
          drag.y = event.clientY;
          clock.dirty = true;
        }
        return;
      }
      const hit = view.hitTest(event.clientX - box.left, event.clientY - box.top, clock.t);
      clock.hover = hit;
      tooltip.hidden = !hit;
      if (hit) {
        tooltip.textContent = describe(view.run, indexes[views.indexOf(view)], hit, clock.t);
        tooltip.style.left = `${event.clientX + 14}px`;
        tooltip.style.top = `${event.clientY + 14}px`;
      }
      clock.dirty = true;
    });
    view.canvas.addEventListener("pointerleave", () => (tooltip.hidden = true));
    view.canvas.addEventListener("pointerup", (event) => {
      if (drag && !drag.moved) {
        const box = view.canvas.getBoundingClientRect();
        const hit = view.hitTest(event.clientX - box.left, event.clientY - box.top, clock.t);
        clock.follow = hit && hit.type === "boat" ? hit.i : -1;
        clock.dirty = true;
      }
      drag = null;
    });
    view.canvas.addEventListener("dblclick", () => {
      views.forEach((v) => v.fit());
      clock.dirty = true;
    });
  });

  function layout() {
    views.forEach((view) => view.resize());
    timeline.resize();
    clock.dirty = true;
  }
  window.addEventListener("resize", layout);
  layout();

  let last = performance.now();
  function tick(now) {
    const elapsed = Math.min(0.25, (now - last) / 1000);
    last = now;
    if (clock.playing) {
      clock.t = Math.min(duration, clock.t + elapsed * clock.speed);
      if (clock.t >= duration) clock.playing = false;
      clock.dirty = true;
    }
    if (clock.dirty) redraw();
    requestAnimationFrame(tick);
  }
  redraw();
  requestAnimationFrame(tick);

  window.replay = {
    /** Move the clock to run time t (s) and redraw now. */
    seek,
    /** Start the clock at the chosen speed (runs from 0 again when at the end). */
    play,
    pause,
    /** {t, boats: [{id, x, y, state}], open_incidents: [ids], log_index} of run A at the clock; with two
     * runs also `runs: [stateA, stateB]`. Positions in scenario metres. */
    state() {
      const states = runs.map((run, r) => stateAt(run, indexes[r], clock.t));
      return runs.length > 1 ? { ...states[0], runs: states } : states[0];
    },
    setSpeed(value) {
      clock.speed = Number(value);
      clock.dirty = true;
    },
    get playing() {
      return clock.playing;
    },
    get speed() {
      return clock.speed;
    },
    duration,
    /** Every row of the event log (all kinds, both runs): {run, t, kind, incident, detail, log_index}. */
    logRows: () => log.rowTexts(),
    /** How long each part of the last redraw took, ms (map, figures, log, timeline, camera). */
    timings,
    ready: true,
    readyAt: performance.now(),
  };
  document.body.dataset.ready = "true";
}

function describe(run, index, hit, t) {
  if (hit.type === "boat") {
    const boat = run.boats[hit.i];
    const at = boatAt(boat, t);
    const m = missionAt(run, index, hit.i, t);
    const mission = m >= 0 ? `\nmission to incident ${run.missions.incident[m] >= 0 ? `#${run.missions.incident[m]}` : "(false alarm)"}` : "";
    return `${boat.id} — ${run.state_names[at.state].replace("_", " ")}\n(${at.x.toFixed(1)}, ${at.y.toFixed(1)}) m, heading ${at.heading.toFixed(0)}°${mission}\nclick: follow this boat`;
  }
  if (hit.type === "incident") {
    const inc = run.incidents;
    const i = hit.i;
    const when = (name) => (Number.isNaN(inc[name][i]) ? "–" : formatClock(inc[name][i]));
    const stage = incidentStage(inc, i, t);
    return [
      `incident #${inc.id[i]} — ${run.kind_names[inc.kind[i]]}, ${stage === "outcome" ? run.outcome_names[inc.outcome[i]].replace(/_/g, " ") : stage.replace("_", " ")}`,
      `appeared ${when("t_start")}, detected ${when("t_detected")}, dispatched ${when("t_dispatched")}`,
      `boat arrived ${when("t_boat_arrived")}, warned ${when("t_warning")}, left ${when("t_offender_left")}`,
      `outcome: ${run.outcome_names[inc.outcome[i]].replace(/_/g, " ")}${inc.boat[i] >= 0 ? ` (${run.boat_ids[inc.boat[i]]})` : ""}`,
    ].join("\n");
  }
  const item = hit.item;
  const extra = hit.type === "camera" ? `, looking ${item.yaw}° from north` : "";
  return `${hit.type} ${item.id}\n(${item.x.toFixed(0)}, ${item.y.toFixed(0)}) m${extra}`;
}

start();

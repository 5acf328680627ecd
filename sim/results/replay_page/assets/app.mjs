// The page: reads the inlined data, builds the map(s) and panels, runs the clock, answers the keyboard and
// the mouse, and offers window.replay (seek, play, pause, state) for scripts and tests.
import {
  boatAt, buildIndex, countAtOrBefore, decodeAll, formatClock, incidentStage, missionAt, parseTime, stateAt, timeOfDay,
} from "./core.mjs";
import { LAYERS, MapView } from "./draw.mjs";
import { CameraPanel, EventLog, Figures, Timeline } from "./panels.mjs";

const SPEEDS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 3600];
const $ = (selector) => document.querySelector(selector);

class Replay {
  constructor(data) {
    const runs = (this.runs = data.runs);
    this.indexes = runs.map(buildIndex);
    this.duration = Math.max(...runs.map((run) => run.duration_s));
    this.clock = { t: 0, playing: false, speed: 60, follow: -1, hover: null, dirty: true };
    this.layers = Object.fromEntries(Object.keys(LAYERS).map((key) => [key, key !== "holes" && key !== "radio"]));
    this.timings = {};
    $("#title").textContent = runs.length > 1 ? `${runs[0].label}  vs  ${runs[1].label}` : runs[0].label;
    $("#subtitle").textContent =
      `${runs[0].scenario} · seed ${runs[0].seed} · ${runs[0].mode} · ${formatClock(this.duration)} simulated`;
    this.views = runs.map((run, r) => {
      const canvas = document.createElement("canvas");
      canvas.className = "map";
      $("#maps").append(canvas);
      return new MapView(canvas, run, this.indexes[r], runs.length > 1 ? `${"AB"[r]} · ${run.label}` : "");
    });
    document.body.classList.toggle("side-by-side", runs.length > 1);
    const seek = (t) => this.seek(t);
    this.log = new EventLog($("#log"), runs, data.differences, seek);
    this.figures = new Figures($("#figures"), runs, this.indexes);
    this.timeline = new Timeline($("#track"), $("#lanes"), runs, this.duration, seek, data.differences);
    this.camera = new CameraPanel($("#camera"), runs);
    showDifferences(data.differences);
    this.bindControls();
    this.bindKeys();
    this.views.forEach((view, r) => this.bindMap(view, r));
    window.addEventListener("resize", () => this.layout());
    this.layout();
    this.redraw();
    let last = performance.now();
    const tick = (now) => {
      const elapsed = Math.min(0.25, (now - last) / 1000);
      last = now;
      if (this.clock.playing) {
        this.clock.t = Math.min(this.duration, this.clock.t + elapsed * this.clock.speed);
        if (this.clock.t >= this.duration) this.clock.playing = false;
        this.clock.dirty = true;
      }
      if (this.clock.dirty) this.redraw();
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  timed(name, work) {
    const begin = performance.now();
    work();
    this.timings[name] = performance.now() - begin;
  }

  redraw() {
    const { t, follow, hover, playing, speed } = this.clock;
    this.timed("map", () => this.views.forEach((view) => view.draw(t, this.layers, follow, hover)));
    this.timed("figures", () => this.figures.update(t));
    this.timed("log", () => this.log.setClock(t));
    this.timed("timeline", () => this.timeline.update(t));
    this.timed("camera", () => this.camera.update(t));
    $("#clock").textContent = formatClock(t);
    $("#time-of-day").textContent = timeOfDay(this.runs[0].start, t);
    $("#play").textContent = playing ? "❚❚ pause" : "▶ play";
    $("#speed").value = String(speed);
    this.clock.dirty = false;
  }

  layout() {
    this.views.forEach((view) => view.resize());
    this.timeline.resize();
    this.clock.dirty = true;
  }

  seek(t) {
    this.clock.t = Math.max(0, Math.min(this.duration, Number(t)));
    this.redraw();
  }

  /** To the next (direction 1) or previous (-1) row of the log as filtered. */
  stepEvent(direction) {
    const times = this.log.times;
    const t = this.clock.t;
    const k = direction > 0 ? countAtOrBefore(times, t + 1e-6) : countAtOrBefore(times, t - 1e-6) - 1;
    if (k >= 0 && k < times.length) this.seek(times[k]);
  }

  setSpeed(step) {
    const k = Math.max(0, Math.min(SPEEDS.length - 1, SPEEDS.indexOf(this.clock.speed) + step));
    this.clock.speed = SPEEDS[k];
    this.clock.dirty = true;
  }

  play() {
    if (this.clock.t >= this.duration) this.clock.t = 0;
    this.clock.playing = true;
    this.clock.dirty = true;
  }

  pause() {
    this.clock.playing = false;
    this.clock.dirty = true;
  }

  bindControls() {
    const speed = $("#speed");
    for (const s of SPEEDS) speed.append(new Option(`${s}×`, String(s)));
    speed.addEventListener("change", () => (this.clock.speed = Number(speed.value)));
    $("#play").addEventListener("click", () => (this.clock.playing ? this.pause() : this.play()));
    $("#prev").addEventListener("click", () => this.stepEvent(-1));
    $("#next").addEventListener("click", () => this.stepEvent(1));
    const typed = $("#goto");
    typed.addEventListener("keydown", (event) => {
      event.stopPropagation();
      if (event.key !== "Enter") return;
      const t = parseTime(typed.value);
      typed.classList.toggle("bad", t === null);
      if (t !== null) {
        this.seek(t);
        typed.blur();
      }
    });
    for (const [key, label] of Object.entries(LAYERS)) {
      const box = document.createElement("label");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.checked = this.layers[key];
      input.dataset.layer = key;
      input.addEventListener("change", () => {
        this.layers[key] = input.checked;
        this.clock.dirty = true;
      });
      box.append(input, ` ${label}`);
      $("#layers").append(box);
    }
    $("#help-button").addEventListener("click", () => ($("#help").hidden = !$("#help").hidden));
  }

  bindKeys() {
    const clock = this.clock;
    const keys = {
      " ": () => (clock.playing ? this.pause() : this.play()),
      ArrowRight: (event) => (event.shiftKey ? this.seek(clock.t + 60) : this.stepEvent(1)),
      ArrowLeft: (event) => (event.shiftKey ? this.seek(clock.t - 60) : this.stepEvent(-1)),
      "+": () => this.setSpeed(1),
      "=": () => this.setSpeed(1),
      "-": () => this.setSpeed(-1),
      Home: () => this.seek(0),
      End: () => this.seek(this.duration),
      f: () => {
        clock.follow = (clock.follow + 1) % this.runs[0].boats.length;
        clock.dirty = true;
      },
      Escape: () => {
        clock.follow = -1;
        clock.dirty = true;
      },
      g: () => $("#goto").focus(),
      "?": () => ($("#help").hidden = !$("#help").hidden),
    };
    document.addEventListener("keydown", (event) => {
      if (keys[event.key]) {
        event.preventDefault();
        keys[event.key](event);
      }
    });
  }

  /** The map: wheel zooms, dragging pans (both maps together), hover explains, a click on a boat follows it. */
  bindMap(view, r) {
    const clock = this.clock;
    const tooltip = $("#tooltip");
    const canvas = view.canvas;
    const local = (event) => {
      const box = canvas.getBoundingClientRect();
      return [event.clientX - box.left, event.clientY - box.top];
    };
    const same = () => this.views.forEach((other) => {
      if (other !== view) {
        other.view = { ...view.view };
        other.staticKey = "";
      }
      clock.dirty = true;
    });
    let drag = null;
    canvas.addEventListener("wheel", (event) => {
      event.preventDefault();
      view.zoomAt(...local(event), event.deltaY < 0 ? 1.2 : 1 / 1.2);
      same();
    }, { passive: false });
    canvas.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, y: event.clientY, moved: false };
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (drag) {
        const dx = event.clientX - drag.x;
        const dy = event.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 2) {
          Object.assign(drag, { x: event.clientX, y: event.clientY, moved: true });
          clock.follow = -1;
          view.panBy(dx, dy);
          same();
        }
        return;
      }
      const hit = view.hitTest(...local(event), clock.t);
      clock.hover = hit;
      tooltip.hidden = !hit;
      if (hit) {
        tooltip.textContent = describe(view.run, this.indexes[r], hit, clock.t);
        tooltip.style.left = `${event.clientX + 14}px`;
        tooltip.style.top = `${event.clientY + 14}px`;
      }
      clock.dirty = true;
    });
    canvas.addEventListener("pointerleave", () => (tooltip.hidden = true));
    canvas.addEventListener("pointerup", (event) => {
      if (drag && !drag.moved) {
        const hit = view.hitTest(...local(event), clock.t);
        clock.follow = hit && hit.type === "boat" ? hit.i : -1;
        clock.dirty = true;
      }
      drag = null;
    });
    canvas.addEventListener("dblclick", () => {
      this.views.forEach((v) => v.fit());
      clock.dirty = true;
    });
  }

  /** window.replay: the scripting API (docs/replay.md). */
  api() {
    const clock = this.clock;
    const followable = this.runs[0].boats;
    return {
      /** Move the clock to run time t (s) and redraw now. */
      seek: (t) => this.seek(t),
      /** Start the clock at the chosen speed (runs from 0 again when at the end). */
      play: () => this.play(),
      pause: () => this.pause(),
      /** {t, boats: [{id, x, y, state}], open_incidents: [ids], log_index} of run A at the clock; with two
       * runs also `runs: [stateA, stateB]`. Positions in scenario metres. */
      state: () => {
        const states = this.runs.map((run, r) => stateAt(run, this.indexes[r], clock.t));
        return this.runs.length > 1 ? { ...states[0], runs: states } : states[0];
      },
      setSpeed: (value) => {
        clock.speed = Number(value);
        clock.dirty = true;
      },
      get playing() {
        return clock.playing;
      },
      get speed() {
        return clock.speed;
      },
      duration: this.duration,
      /** Page coordinates (CSS px) of scenario point (x, y) m on run r's map, for pointer automation. */
      toScreen: (x, y, r = 0) => {
        const box = this.views[r].canvas.getBoundingClientRect();
        const [sx, sy] = this.views[r].toScreen(x, y);
        return { x: box.left + sx, y: box.top + sy };
      },
      /** The id of the boat the map follows, or null. */
      get following() {
        return clock.follow >= 0 ? followable[clock.follow].id : null;
      },
      /** Every row of the event log (all kinds, both runs): {run, t, kind, incident, detail, log_index}. */
      logRows: () => this.log.rowTexts(),
      /** How long each part of the last redraw took, ms (map, figures, log, timeline, camera). */
      timings: this.timings,
      ready: true,
      readyAt: performance.now(),
    };
  }
}

function showDifferences(differences) {
  if (!differences.length) return;
  const box = $("#differences");
  const outcome = (text) => text.replace(/_/g, " ");
  box.hidden = false;
  box.textContent = `${differences.length} incident(s) end differently: ` +
    differences.slice(0, 6).map((d) => `#${d.incident} ${outcome(d.a)} → ${outcome(d.b)}`).join(", ") +
    (differences.length > 6 ? ", …" : "");
}

const words = (name) => name.replace(/_/g, " ");

/** The tooltip of what the mouse is over (a hitTest result) at run time t. */
function describe(run, index, hit, t) {
  if (hit.type === "boat") {
    const boat = run.boats[hit.i];
    const at = boatAt(boat, t);
    const m = missionAt(run, index, hit.i, t);
    const target = m >= 0 && run.missions.incident[m] >= 0 ? `#${run.missions.incident[m]}` : "(false alarm)";
    return [
      `${boat.id} — ${words(run.state_names[at.state])}`,
      `(${at.x.toFixed(1)}, ${at.y.toFixed(1)}) m, heading ${at.heading.toFixed(0)}°`,
      ...(m >= 0 ? [`mission to incident ${target}`] : []),
      "click: follow this boat",
    ].join("\n");
  }
  if (hit.type === "incident") {
    const inc = run.incidents;
    const i = hit.i;
    const when = (name) => (Number.isNaN(inc[name][i]) ? "–" : formatClock(inc[name][i]));
    const stage = incidentStage(inc, i, t);
    const outcome = words(run.outcome_names[inc.outcome[i]]);
    const boat = inc.boat[i] >= 0 ? ` (${run.boat_ids[inc.boat[i]]})` : "";
    return [
      `incident #${inc.id[i]} — ${run.kind_names[inc.kind[i]]}, ${stage === "outcome" ? outcome : words(stage)}`,
      `appeared ${when("t_start")}, detected ${when("t_detected")}, dispatched ${when("t_dispatched")}`,
      `boat arrived ${when("t_boat_arrived")}, warned ${when("t_warning")}, left ${when("t_offender_left")}`,
      `outcome: ${outcome}${boat}`,
    ].join("\n");
  }
  const item = hit.item;
  const extra = hit.type === "camera" ? `, looking ${item.yaw}° from north` : "";
  return `${hit.type} ${item.id}\n(${item.x.toFixed(0)}, ${item.y.toFixed(0)}) m${extra}`;
}


const replay = new Replay(decodeAll(JSON.parse(document.getElementById("replay-data").textContent)));
window.replay = replay.api();
document.body.dataset.ready = "true";

// The panels around the map: the event log, the live figures, the timeline with its incident markers and
// boat lanes, and the camera view. Each redraws from the clock alone.
import { countAtOrBefore, figuresAt, formatClock, nearestFrame } from "./core.mjs";
import { OUTCOME_COLOURS, STATE_COLOURS } from "./draw.mjs";

export const ROW_HEIGHT = 24; // px, one row of the event log
export const FRAME_WINDOW_S = 20; // the camera panel shows a frame at most this far from the clock, s

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The text of event e of a run: what happened, to which incident, by whom. */
export function eventText(run, e) {
  const ev = run.events;
  const kind = run.event_kinds[ev.kind[e]];
  const incident = ev.incident[e];
  const boat = ev.boat[e] >= 0 ? run.boat_ids[ev.boat[e]] : "";
  const ref = ev.ref[e];
  let detail = boat;
  if (kind === "alarm raised" || kind === "false alarm") {
    const source = run.sources[run.alarms.source[ref]] || "sensor";
    detail = `${source}, score ${run.alarms.score[ref].toFixed(2)}`;
  } else if (kind === "drone sortie") {
    detail = `${run.drone_ids[run.sorties.drone[ref]] || "drone"} to (${run.sorties.x[ref].toFixed(0)}, ${run.sorties.y[ref].toFixed(0)})`;
  } else if (kind === "offender appeared") {
    const i = run.incidents.id.indexOf(incident);
    detail = i >= 0 ? run.kind_names[run.incidents.kind[i]] : "";
  }
  return { kind, incident, detail };
}

export class EventLog {
  constructor(root, runs, differences, onSeek) {
    this.runs = runs;
    this.onSeek = onSeek;
    this.differs = new Map(differences.map((d) => [d.incident, d]));
    const rows = [];
    runs.forEach((run, r) => {
      for (let e = 0; e < run.events.count; e++) rows.push({ r, e, t: run.events.t[e] });
    });
    rows.sort((a, b) => a.t - b.t || a.r - b.r || a.e - b.e);
    this.rows = rows;
    this.kinds = new Set(runs[0].event_kinds);
    this.incident = null;
    this.current = -1;
    this.followClock = true;
    this.buildFilters(root.querySelector(".log-filters"));
    this.body = root.querySelector(".log-body");
    this.window = element("div", "log-window");
    this.thumb = element("div", "log-thumb");
    this.body.append(this.window, this.thumb);
    this.top = 0;
    this.viewHeight = 600;
    // A virtual list scrolled by the wheel: no native scrolling, so a redraw never forces a layout.
    // Layout is read only when the panel is resized.
    new ResizeObserver(() => {
      this.viewHeight = this.body.clientHeight;
      this.render();
    }).observe(this.body);
    this.body.addEventListener("wheel", (event) => {
      event.preventDefault();
      this.followClock = false;
      const bottom = Math.max(0, this.visible.length * ROW_HEIGHT - this.viewHeight + ROW_HEIGHT);
      this.render(Math.max(0, Math.min(bottom, this.top + event.deltaY)));
    }, { passive: false });
    this.window.addEventListener("click", (event) => {
      const row = event.target.closest(".log-row");
      if (!row) return;
      this.followClock = true;
      this.onSeek(Number(row.dataset.t));
    });
    this.applyFilter();
  }

  buildFilters(box) {
    const kinds = element("div", "chips");
    for (const kind of this.runs[0].event_kinds) {
      const chip = element("button", "chip on", kind);
      chip.title = `show or hide "${kind}" rows`;
      chip.addEventListener("click", () => {
        if (this.kinds.has(kind)) this.kinds.delete(kind);
        else this.kinds.add(kind);
        chip.classList.toggle("on", this.kinds.has(kind));
        this.applyFilter();
      });
      kinds.append(chip);
    }
    const incident = element("input", "incident-filter");
    incident.placeholder = "incident #";
    incident.title = "show only this incident's rows (empty: all)";
    incident.addEventListener("input", () => {
      const value = incident.value.replace("#", "").trim();
      this.incident = value === "" ? null : Number(value);
      this.applyFilter();
    });
    box.append(kinds, incident);
  }

  applyFilter() {
    this.visible = this.rows.filter((row) => {
      const run = this.runs[row.r];
      const kind = run.event_kinds[run.events.kind[row.e]];
      return this.kinds.has(kind) && (this.incident === null || run.events.incident[row.e] === this.incident);
    });
    this.times = Float64Array.from(this.visible, (row) => row.t);
    this.current = -2;
    this.followClock = true;
  }

  /** Text of every row of the log (all kinds, both runs), as the page shows it. */
  rowTexts() {
    return this.rows.map((row) => this.describe(row));
  }

  describe(row) {
    const run = this.runs[row.r];
    const { kind, incident, detail } = eventText(run, row.e);
    return { run: row.r, t: row.t, kind, incident, detail, log_index: row.e };
  }

  setClock(t) {
    const current = countAtOrBefore(this.times, t) - 1;
    if (current === this.current) return;
    this.current = current;
    if (this.followClock) {
      this.render(Math.max(0, (current - 4) * ROW_HEIGHT));
    } else {
      this.render();
    }
  }

  /** Draw the rows in view when the list is scrolled to `top` (px; default: where it was). */
  render(top = this.top) {
    this.top = top;
    const first = Math.floor(top / ROW_HEIGHT);
    const count = Math.ceil(this.viewHeight / ROW_HEIGHT) + 1;
    const rows = [];
    for (let k = first; k < Math.min(this.visible.length, first + count); k++) {
      rows.push(this.rowElement(k));
    }
    this.window.style.transform = `translateY(${first * ROW_HEIGHT - top}px)`;
    const total = Math.max(1, this.visible.length * ROW_HEIGHT);
    const share = Math.min(1, this.viewHeight / total);
    this.thumb.style.height = `${Math.max(16, share * this.viewHeight)}px`;
    this.thumb.style.transform = `translateY(${(top / total) * this.viewHeight}px)`;
    this.thumb.hidden = share >= 1;
    this.window.replaceChildren(...rows);
  }

  rowElement(k) {
    const row = this.visible[k];
    const { kind, incident, detail } = this.describe(row);
    const node = element("div", `log-row kind-${kind.replace(/ /g, "-")}`);
    node.dataset.t = String(row.t);
    node.dataset.k = String(k);
    if (k === this.current) node.classList.add("current");
    if (k > this.current) node.classList.add("future");
    node.append(element("span", "log-time", formatClock(row.t)));
    if (this.runs.length > 1) node.append(element("span", `log-run run-${row.r}`, "AB"[row.r]));
    node.append(element("span", "log-kind", kind));
    node.append(element("span", "log-incident", incident >= 0 ? `#${incident}` : ""));
    node.append(element("span", "log-detail", detail));
    const difference = this.differs.get(incident);
    if (difference) {
      const mark = element("span", "log-differs", "≠");
      mark.title = `outcomes differ: A ${difference.a.replace(/_/g, " ")}, B ${difference.b.replace(/_/g, " ")}`;
      node.append(mark);
    }
    return node;
  }
}

function tile(label) {
  const node = element("div", "figure");
  const value = element("div", "figure-value", "–");
  node.append(value, element("div", "figure-label", label));
  return { node, value };
}

export class Figures {
  constructor(root, runs, indexes) {
    this.runs = runs;
    this.indexes = indexes;
    this.rows = runs.map((run, r) => {
      const row = element("div", "figures-row");
      if (runs.length > 1) row.append(element("div", `figures-run run-${r}`, "AB"[r]));
      const tiles = {
        open: tile("open incidents"),
        busy: tile("busy boats"),
        detection: tile("detected so far"),
        response: tile("response median · p90"),
        falseDispatches: tile("false dispatches"),
      };
      for (const t of Object.values(tiles)) row.append(t.node);
      root.append(row);
      return tiles;
    });
  }

  update(t) {
    const seconds = (value) => (Number.isNaN(value) ? "–" : value < 600 ? `${value.toFixed(0)} s` : `${(value / 60).toFixed(1)} min`);
    this.runs.forEach((run, r) => {
      const f = figuresAt(run, this.indexes[r], t);
      const tiles = this.rows[r];
      const set = (name, text) => {
        if (tiles[name].value.textContent !== text) tiles[name].value.textContent = text;
      };
      set("open", String(f.open));
      set("busy", `${f.busy} / ${f.boats}`);
      set("detection", Number.isNaN(f.detectionRate) ? "–" : `${(100 * f.detectionRate).toFixed(1)} %`);
      set("response", `${seconds(f.responseMedian)} · ${seconds(f.responseP90)}`);
      set("falseDispatches", String(f.falseDispatches));
    });
  }
}

export class Timeline {
  constructor(track, lanes, runs, duration, onSeek, differences = []) {
    this.differs = new Set(differences.map((d) => d.incident));
    this.track = track;
    this.lanes = lanes;
    this.runs = runs;
    this.duration = duration;
    this.onSeek = onSeek;
    this.laneCount = runs.reduce((n, run) => n + run.boats.length, 0);
    this.lanes.style.height = `${Math.min(150, 16 * this.laneCount + 4)}px`;
    this.labelWidth = 96;
    for (const canvas of [track, lanes]) {
      let dragging = false;
      const seek = (event) => {
        const box = canvas.getBoundingClientRect();
        const share = (event.clientX - box.left - this.labelWidth) / (box.width - this.labelWidth - 8);
        this.onSeek(Math.max(0, Math.min(1, share)) * this.duration);
      };
      canvas.addEventListener("pointerdown", (event) => {
        dragging = true;
        canvas.setPointerCapture(event.pointerId);
        seek(event);
      });
      canvas.addEventListener("pointermove", (event) => dragging && seek(event));
      canvas.addEventListener("pointerup", () => (dragging = false));
    }
  }

  resize() {
    this.ratio = window.devicePixelRatio || 1;
    for (const canvas of [this.track, this.lanes]) {
      const box = canvas.getBoundingClientRect();
      canvas.width = Math.round(box.width * this.ratio);
      canvas.height = Math.round(box.height * this.ratio);
    }
    this.trackImage = this.paint(this.track, (c, w, h) => this.paintTrack(c, w, h));
    this.laneImage = this.paint(this.lanes, (c, w, h) => this.paintLanes(c, w, h));
  }

  paint(canvas, painter) {
    const image = document.createElement("canvas");
    image.width = canvas.width;
    image.height = canvas.height;
    const c = image.getContext("2d");
    c.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    painter(c, canvas.width / this.ratio, canvas.height / this.ratio);
    return image;
  }

  x(t, width) {
    return this.labelWidth + (t / this.duration) * (width - this.labelWidth - 8);
  }

  paintTrack(c, width, height) {
    c.fillStyle = "#18212b";
    c.fillRect(this.labelWidth, height / 2 - 3, width - this.labelWidth - 8, 6);
    c.fillStyle = "#8b98a5";
    c.font = "11px system-ui, sans-serif";
    c.fillText("incidents", 8, height / 2 + 4);
    const step = [600, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800].find(
      (s) => this.duration / s <= (width - this.labelWidth) / 70,
    ) || 604800;
    for (let t = 0; t <= this.duration; t += step) {
      const x = this.x(t, width);
      c.fillStyle = "#3a4754";
      c.fillRect(x, height - 8, 1, 8);
      c.fillStyle = "#8b98a5";
      c.fillText(formatClock(t).replace(/:00$/, ""), x + 2, height - 1);
    }
    this.runs.forEach((run, r) => {
      const inc = run.incidents;
      const band = this.runs.length > 1 ? [height / 2 - 12 + r * 12, 11] : [height / 2 - 12, 24];
      for (let i = 0; i < inc.count; i++) {
        c.fillStyle = OUTCOME_COLOURS[run.outcome_names[inc.outcome[i]]] || "#fff";
        c.fillRect(this.x(inc.t_start[i], width) - 1, band[0], 3, band[1]);
        if (r === 0 && this.differs.has(inc.id[i])) {
          const x = this.x(inc.t_start[i], width);
          c.fillStyle = "#ff9f5e"; // outcomes differ between the runs: a caret above the mark
          c.beginPath();
          c.moveTo(x - 5, band[0] - 7);
          c.lineTo(x + 5, band[0] - 7);
          c.lineTo(x, band[0] - 1);
          c.closePath();
          c.fill();
        }
      }
    });
  }

  paintLanes(c, width, height) {
    let lane = 0;
    c.font = "11px system-ui, sans-serif";
    const laneHeight = Math.max(8, (height - 4) / Math.max(1, this.laneCount));
    this.runs.forEach((run, r) => {
      for (const boat of run.boats) {
        const y = 2 + lane * laneHeight;
        c.fillStyle = "#8b98a5";
        const name = this.runs.length > 1 ? `${"AB"[r]} ${boat.id}` : boat.id;
        c.fillText(name, 8, y + laneHeight / 2 + 4);
        c.fillStyle = "#18212b";
        c.fillRect(this.labelWidth, y, width - this.labelWidth - 8, laneHeight - 2);
        const n = boat.t.length;
        for (let k = 0; k < n - 1; k++) {
          const state = run.state_names[boat.state[k]];
          if (state === "docked") continue;
          const x0 = this.x(boat.t[k], width);
          const x1 = this.x(boat.t[k + 1], width);
          c.fillStyle = STATE_COLOURS[state];
          c.fillRect(x0, y, Math.max(1, x1 - x0), laneHeight - 2);
        }
        lane++;
      }
    });
  }

  update(t) {
    for (const [canvas, image] of [
      [this.track, this.trackImage],
      [this.lanes, this.laneImage],
    ]) {
      const c = canvas.getContext("2d");
      c.setTransform(1, 0, 0, 1, 0, 0);
      c.clearRect(0, 0, canvas.width, canvas.height);
      c.drawImage(image, 0, 0);
      c.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
      const width = canvas.width / this.ratio;
      const x = this.x(t, width);
      c.fillStyle = "rgba(94, 178, 255, 0.14)";
      c.fillRect(this.labelWidth, 0, x - this.labelWidth, canvas.height);
      c.fillStyle = "#5eb2ff";
      c.fillRect(x - 1, 0, 2, canvas.height);
    }
  }
}

export class CameraPanel {
  constructor(root, runs) {
    this.runs = runs;
    this.image = root.querySelector("img");
    this.caption = root.querySelector(".camera-caption");
    this.shown = undefined; // nothing drawn yet: the first update always writes the caption
    this.total = runs.reduce((n, run) => n + run.frames.length, 0);
  }

  update(t) {
    const frames = this.runs.map((run) => nearestFrame(run.frames, t, FRAME_WINDOW_S));
    const r = frames.findIndex(Boolean);
    const frame = r >= 0 ? frames[r] : null;
    if (frame === this.shown) return;
    this.shown = frame;
    if (!frame) {
      this.image.hidden = true;
      this.caption.textContent = this.total
        ? "no camera frame within 20 s of the clock (frames run from first sight to alarm)"
        : "no camera frames in this page: build it with  run_sim.py replay RUN --camera-frames";
      return;
    }
    this.image.hidden = false;
    this.image.src = `data:image/jpeg;base64,${frame.jpeg}`;
    const run = this.runs.length > 1 ? `${"AB"[r]} · ` : "";
    this.caption.textContent = `${run}${frame.camera} · incident #${frame.incident} · ${formatClock(frame.t)} · ${frame.label}`;
  }
}

// The map: a canvas in scenario metres (x east, y north), its still layers cached in an offscreen canvas
// (redrawn only on pan, zoom or a layer switch), the moving ones drawn each frame from binary searches.
import { boatAt, countAtOrBefore, incidentStage, incidentsNear, missionAt, sortieAt, trail } from "./core.mjs";

export const STATE_COLOURS = {
  docked: "#8e9aa6",
  patrolling: "#5dade2",
  outbound: "#f39c12",
  on_scene: "#ff4d4d",
  returning: "#2ecc71",
};
export const STAGE_COLOURS = {
  undetected: "#d5dde5",
  detected: "#ffd23f",
  dispatched: "#ff9f1c",
  on_scene: "#ff4d4d",
};
export const OUTCOME_COLOURS = {
  deterred: "#2ecc71",
  non_compliant: "#e74c3c",
  left_before_response: "#b57edc",
  missed: "#95a5a6",
  unresolved: "#f1c40f",
};
export const LAYERS = {
  radio: "SINR map",
  holes: "coverage holes",
  footprints: "camera views",
  nogo: "no-go areas",
  places: "docks, gNBs, drones",
  trails: "boat trails",
  labels: "labels",
};
export const TRAIL_S = 300; // seconds of trail behind each boat
export const FALSE_ALARM_S = 300; // a false alarm stays on the map this long, s

const VIRIDIS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function viridis(share) {
  const position = Math.max(0, Math.min(1, share)) * (VIRIDIS.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, VIRIDIS.length - 1);
  const f = position - low;
  return VIRIDIS[low].map((c, k) => Math.round(c + f * (VIRIDIS[high][k] - c)));
}

function rasters(radio) {
  const { rows, cols } = radio;
  const make = (paint) => {
    const canvas = document.createElement("canvas");
    canvas.width = cols;
    canvas.height = rows;
    const context = canvas.getContext("2d");
    const image = context.createImageData(cols, rows);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const source = r * cols + c;
        const target = ((rows - 1 - r) * cols + c) * 4; // row 0 is the south edge
        paint(source, image.data, target);
      }
    }
    context.putImageData(image, 0, 0);
    return canvas;
  };
  return {
    sinr: make((i, data, k) => {
      const [red, green, blue] = viridis(radio.sinr[i] / 255);
      data.set([red, green, blue, 150], k);
    }),
    holes: make((i, data, k) => data.set(radio.holes[i] ? [255, 40, 40, 150] : [0, 0, 0, 0], k)),
  };
}

export class MapView {
  constructor(canvas, run, index, title) {
    this.canvas = canvas;
    this.context = canvas.getContext("2d");
    this.run = run;
    this.index = index;
    this.title = title;
    this.scene = run.scene;
    this.rasters = rasters(run.scene.radio);
    this.staticCanvas = document.createElement("canvas");
    this.staticKey = "";
    this.view = null;
    this.falseAlarms = [];
    for (let a = 0; a < run.alarms.count; a++) if (run.alarms.incident[a] < 0) this.falseAlarms.push(a);
    this.falseAlarms.sort((a, b) => run.alarms.t[a] - run.alarms.t[b]);
    this.falseAlarmTimes = Float64Array.from(this.falseAlarms, (a) => run.alarms.t[a]);
  }

  /** Match the canvas to its box on screen (device pixels); keeps the view, or fits the zone. */
  resize() {
    const ratio = window.devicePixelRatio || 1;
    const box = this.canvas.getBoundingClientRect();
    this.width = Math.max(50, box.width);
    this.height = Math.max(50, box.height);
    this.canvas.width = Math.round(this.width * ratio);
    this.canvas.height = Math.round(this.height * ratio);
    this.staticCanvas.width = this.canvas.width;
    this.staticCanvas.height = this.canvas.height;
    this.ratio = ratio;
    this.staticKey = "";
    if (!this.view) this.fit();
  }

  fit() {
    const { width, height } = this.scene;
    const scale = Math.min((this.width - 24) / width, (this.height - 64) / height); // room for the legend
    this.view = { scale, ox: (this.width - scale * width) / 2, oy: (this.height - 44 + scale * height) / 2 + 6 };
    this.staticKey = "";
  }

  toScreen(x, y) {
    return [this.view.ox + x * this.view.scale, this.view.oy - y * this.view.scale];
  }

  toWorld(sx, sy) {
    return [(sx - this.view.ox) / this.view.scale, (this.view.oy - sy) / this.view.scale];
  }

  zoomAt(sx, sy, factor) {
    const [x, y] = this.toWorld(sx, sy);
    this.view.scale = Math.max(0.05, Math.min(200, this.view.scale * factor));
    this.view.ox = sx - x * this.view.scale;
    this.view.oy = sy + y * this.view.scale;
    this.staticKey = "";
  }

  panBy(dx, dy) {
    this.view.ox += dx;
    this.view.oy += dy;
    this.staticKey = "";
  }

  centreOn(x, y) {
    this.view.ox = this.width / 2 - x * this.view.scale;
    this.view.oy = this.height / 2 + y * this.view.scale;
    this.staticKey = "";
  }

  path(context, ring) {
    context.beginPath();
    ring.forEach(([x, y], k) => {
      const [sx, sy] = this.toScreen(x, y);
      if (k) context.lineTo(sx, sy);
      else context.moveTo(sx, sy);
    });
    context.closePath();
  }

  drawStatic(layers) {
    const key = JSON.stringify([this.view, layers, this.width, this.height]);
    if (key === this.staticKey) return;
    this.staticKey = key;
    const c = this.staticCanvas.getContext("2d");
    c.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    const s = this.scene;
    c.fillStyle = "#0b1016";
    c.fillRect(0, 0, this.width, this.height);
    const [x0, y0] = this.toScreen(0, s.height);
    c.fillStyle = "#1c2520"; // land
    c.fillRect(x0, y0, s.width * this.view.scale, s.height * this.view.scale);
    c.fillStyle = "#123a5c";
    c.strokeStyle = "#3f7fb5";
    c.lineWidth = 1;
    for (const ring of s.water) {
      this.path(c, ring);
      c.fill();
      c.stroke();
    }
    c.imageSmoothingEnabled = false;
    const place = (raster) => c.drawImage(raster, x0, y0, s.width * this.view.scale, s.height * this.view.scale);
    c.save();
    c.beginPath();
    for (const ring of s.water) {
      ring.forEach(([x, y], k) => (k ? c.lineTo : c.moveTo).call(c, ...this.toScreen(x, y)));
      c.closePath();
    }
    c.clip(); // radio layers over the water, where the boats need the network
    if (layers.radio) place(this.rasters.sinr);
    if (layers.holes) place(this.rasters.holes);
    c.restore();
    c.fillStyle = "#2b3d26";
    c.strokeStyle = "#5b7d45";
    for (const ring of s.islands) {
      this.path(c, ring);
      c.fill();
      c.stroke();
    }
    if (layers.footprints) {
      c.fillStyle = "rgba(255, 214, 70, 0.10)";
      c.strokeStyle = "rgba(255, 214, 70, 0.45)";
      for (const camera of s.cameras) {
        for (const ring of camera.footprint) {
          this.path(c, ring);
          c.fill();
          c.stroke();
        }
      }
    }
    if (layers.nogo) {
      c.setLineDash([5, 3]);
      c.lineWidth = 1.4;
      for (const [areas, colour] of [
        [s.no_swimming, "rgba(255, 90, 90, 0.9)"],
        [s.no_fishing, "rgba(230, 150, 60, 0.9)"],
      ]) {
        c.strokeStyle = colour;
        c.fillStyle = colour.replace("0.9", "0.08");
        for (const area of areas) {
          this.path(c, area.ring);
          c.fill();
          c.stroke();
        }
      }
      c.setLineDash([]);
    }
    c.strokeStyle = "#31414f";
    c.strokeRect(x0, y0, s.width * this.view.scale, s.height * this.view.scale);
    this.drawPlaces(c, layers);
    this.drawScaleBar(c);
  }

  drawPlaces(c, layers) {
    const s = this.scene;
    c.font = "11px system-ui, sans-serif";
    const label = (text, sx, sy, colour) => {
      if (!layers.labels) return;
      c.fillStyle = colour;
      c.fillText(text, sx + 7, sy - 6);
    };
    for (const camera of s.cameras) {
      const [sx, sy] = this.toScreen(camera.x, camera.y);
      c.fillStyle = "#ffd646";
      c.beginPath();
      c.moveTo(sx, sy - 6);
      c.lineTo(sx + 5, sy + 4);
      c.lineTo(sx - 5, sy + 4);
      c.closePath();
      c.fill();
      label(camera.id, sx, sy, "#e8d9a0");
    }
    if (!layers.places) return;
    for (const gnb of s.gnbs) {
      const [sx, sy] = this.toScreen(gnb.x, gnb.y);
      c.strokeStyle = "#c39bd3";
      c.lineWidth = 2;
      c.beginPath();
      c.moveTo(sx, sy + 6);
      c.lineTo(sx, sy - 6);
      c.moveTo(sx - 5, sy - 3);
      c.arc(sx, sy - 6, 5, Math.PI, 0);
      c.stroke();
      label(gnb.id, sx, sy, "#c39bd3");
    }
    for (const dock of s.docks) {
      const [sx, sy] = this.toScreen(dock.x, dock.y);
      c.fillStyle = "#dfe6ed";
      c.fillRect(sx - 4, sy - 4, 8, 8);
      label(dock.id, sx, sy + 14, "#aab7c4");
    }
    for (const base of s.drone_bases) {
      const [sx, sy] = this.toScreen(base.x, base.y);
      c.strokeStyle = "#48c9b0";
      c.lineWidth = 2;
      c.beginPath();
      c.moveTo(sx - 5, sy - 5);
      c.lineTo(sx + 5, sy + 5);
      c.moveTo(sx + 5, sy - 5);
      c.lineTo(sx - 5, sy + 5);
      c.stroke();
      label(base.id, sx, sy, "#48c9b0");
    }
  }

  drawScaleBar(c) {
    const metres = [10, 20, 50, 100, 200, 500, 1000].find((m) => m * this.view.scale >= 70) || 1000;
    const length = metres * this.view.scale;
    const x = 14;
    const y = this.title ? 52 : 24;
    c.strokeStyle = "#cfd8e3";
    c.lineWidth = 2;
    c.beginPath();
    c.moveTo(x, y - 4);
    c.lineTo(x, y);
    c.lineTo(x + length, y);
    c.lineTo(x + length, y - 4);
    c.stroke();
    c.fillStyle = "#cfd8e3";
    c.font = "11px system-ui, sans-serif";
    c.fillText(`${metres} m`, x + length + 6, y + 1);
  }

  /** Draw the map at run time t; `follow` is a boat index to keep centred, or -1. */
  draw(t, layers, follow, hover) {
    if (follow >= 0) {
      const at = boatAt(this.run.boats[follow], t);
      this.centreOn(at.x, at.y);
    }
    this.drawStatic(layers);
    const c = this.context;
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.drawImage(this.staticCanvas, 0, 0);
    c.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    this.drawFalseAlarms(c, t);
    this.drawIncidents(c, t, hover);
    this.drawSorties(c, t);
    this.drawBoats(c, t, layers, follow);
    if (this.title) {
      c.font = "600 13px system-ui, sans-serif";
      c.fillStyle = "rgba(11, 16, 22, 0.75)";
      c.fillRect(8, 8, c.measureText(this.title).width + 16, 24);
      c.fillStyle = "#e6edf3";
      c.fillText(this.title, 16, 25);
    }
  }

  drawFalseAlarms(c, t) {
    const from = countAtOrBefore(this.falseAlarmTimes, t - FALSE_ALARM_S);
    const to = countAtOrBefore(this.falseAlarmTimes, t);
    c.strokeStyle = "#ffd23f";
    c.lineWidth = 2;
    for (let k = from; k < to; k++) {
      const a = this.falseAlarms[k];
      const [sx, sy] = this.toScreen(this.run.alarms.x[a], this.run.alarms.y[a]);
      c.globalAlpha = 1 - (t - this.run.alarms.t[a]) / FALSE_ALARM_S / 1.5;
      c.beginPath();
      c.moveTo(sx - 5, sy - 5);
      c.lineTo(sx + 5, sy + 5);
      c.moveTo(sx + 5, sy - 5);
      c.lineTo(sx - 5, sy + 5);
      c.stroke();
    }
    c.globalAlpha = 1;
  }

  drawIncidents(c, t, hover) {
    const inc = this.run.incidents;
    const labels = []; // incidents at one place get their labels stacked, not overprinted
    for (const i of incidentsNear(this.run, this.index, t)) {
      const stage = incidentStage(inc, i, t);
      const outcome = this.run.outcome_names[inc.outcome[i]];
      const colour = stage === "outcome" ? OUTCOME_COLOURS[outcome] : STAGE_COLOURS[stage];
      const [sx, sy] = this.toScreen(inc.x[i], inc.y[i]);
      const fishing = this.run.kind_names[inc.kind[i]] === "fishing";
      c.beginPath();
      if (fishing) {
        c.moveTo(sx, sy - 8);
        c.lineTo(sx + 8, sy);
        c.lineTo(sx, sy + 8);
        c.lineTo(sx - 8, sy);
        c.closePath();
      } else {
        c.arc(sx, sy, 7, 0, 2 * Math.PI);
      }
      c.globalAlpha = stage === "outcome" ? 0.75 : 1;
      c.lineWidth = 2;
      if (stage === "undetected") {
        c.setLineDash([3, 2]);
        c.strokeStyle = colour;
        c.stroke();
        c.setLineDash([]);
      } else {
        c.fillStyle = colour;
        c.fill();
        c.strokeStyle = "#0b1016";
        c.stroke();
      }
      if (stage !== "outcome" && stage !== "undetected") {
        c.strokeStyle = colour;
        c.lineWidth = 1;
        c.beginPath();
        c.arc(sx, sy, 12, 0, 2 * Math.PI);
        c.stroke();
      }
      c.globalAlpha = 1;
      c.fillStyle = hover && hover.type === "incident" && hover.i === i ? "#ffffff" : "#d9e2ec";
      c.font = "600 11px system-ui, sans-serif";
      let ly = sy + 4;
      while (labels.some(([lx, y]) => Math.abs(lx - sx) < 30 && Math.abs(y - ly) < 12)) ly += 12;
      labels.push([sx, ly]);
      c.fillText(`#${inc.id[i]}`, sx + 10, ly);
    }
  }

  drawSorties(c, t) {
    for (let s = 0; s < this.run.sorties.count; s++) {
      const at = sortieAt(this.run, s, t);
      if (!at) continue;
      const [sx, sy] = this.toScreen(at.x, at.y);
      c.strokeStyle = "#48c9b0";
      c.fillStyle = "rgba(72, 201, 176, 0.25)";
      c.lineWidth = 2;
      c.beginPath();
      c.arc(sx, sy, 9, 0, 2 * Math.PI);
      c.fill();
      c.stroke();
      for (const [dx, dy] of [[-6, -6], [6, -6], [6, 6], [-6, 6]]) {
        c.beginPath();
        c.arc(sx + dx, sy + dy, 3, 0, 2 * Math.PI);
        c.stroke();
      }
    }
  }

  drawBoats(c, t, layers, follow) {
    const run = this.run;
    const labels = []; // boats at one place (a dock) get their labels stacked, not overprinted
    run.boats.forEach((boat, b) => {
      const at = boatAt(boat, t);
      const state = run.state_names[at.state];
      const colour = STATE_COLOURS[state] || "#ffffff";
      if (layers.trails) {
        const points = trail(boat, t, TRAIL_S);
        c.strokeStyle = colour;
        c.globalAlpha = 0.55;
        c.lineWidth = 2;
        c.beginPath();
        for (let k = 0; k < points.length; k += 2) {
          const [sx, sy] = this.toScreen(points[k], points[k + 1]);
          if (k) c.lineTo(sx, sy);
          else c.moveTo(sx, sy);
        }
        c.stroke();
        c.globalAlpha = 1;
      }
      const m = missionAt(run, this.index, b, t);
      const [sx, sy] = this.toScreen(at.x, at.y);
      if (m >= 0 && (state === "outbound" || state === "on_scene")) {
        const [tx, ty] = this.toScreen(run.missions.target_x[m], run.missions.target_y[m]);
        c.strokeStyle = colour;
        c.setLineDash([6, 4]);
        c.lineWidth = 1.5;
        c.beginPath();
        c.moveTo(sx, sy);
        c.lineTo(tx, ty);
        c.stroke();
        c.setLineDash([]);
      }
      const angle = (at.heading * Math.PI) / 180;
      c.save();
      c.translate(sx, sy);
      c.rotate(angle);
      c.beginPath();
      c.moveTo(0, -11);
      c.lineTo(6, 2);
      c.lineTo(5, 8);
      c.lineTo(-5, 8);
      c.lineTo(-6, 2);
      c.closePath();
      c.fillStyle = colour;
      c.fill();
      c.strokeStyle = "#0b1016";
      c.lineWidth = 1.5;
      c.stroke();
      c.restore();
      if (b === follow) {
        c.strokeStyle = "#ffffff";
        c.lineWidth = 1.5;
        c.beginPath();
        c.arc(sx, sy, 16, 0, 2 * Math.PI);
        c.stroke();
      }
      if (layers.labels) {
        let ly = sy - 8;
        while (labels.some(([lx, y]) => Math.abs(lx - sx) < 40 && Math.abs(y - ly) < 13)) ly -= 13;
        labels.push([sx, ly]);
        c.font = "600 12px system-ui, sans-serif";
        c.fillStyle = "#ffffff";
        c.fillText(boat.id, sx + 10, ly);
      }
    });
  }

  /** What is under screen point (sx, sy) at t: a boat, incident, camera, gNB, dock or drone base. */
  hitTest(sx, sy, t) {
    const near = (x, y, radius) => {
      const [px, py] = this.toScreen(x, y);
      return Math.hypot(px - sx, py - sy) <= radius;
    };
    for (let b = 0; b < this.run.boats.length; b++) {
      const at = boatAt(this.run.boats[b], t);
      if (near(at.x, at.y, 12)) return { type: "boat", i: b, at };
    }
    for (const i of incidentsNear(this.run, this.index, t)) {
      if (near(this.run.incidents.x[i], this.run.incidents.y[i], 10)) return { type: "incident", i };
    }
    for (const [type, list] of [
      ["camera", this.scene.cameras],
      ["gNB", this.scene.gnbs],
      ["dock", this.scene.docks],
      ["drone base", this.scene.drone_bases],
    ]) {
      const found = list.find((item) => near(item.x, item.y, 9));
      if (found) return { type, item: found };
    }
    return null;
  }
}

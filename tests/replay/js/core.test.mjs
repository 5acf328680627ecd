// Unit tests of the replay page's pure functions (node --test; run by tests/replay/test_core_js.py).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  boatAt, buildIndex, countAtOrBefore, decodeColumn, figuresAt, formatClock, incidentStage, missionAt, nearestFrame,
  sortieAt,
  openIncidents, parseTime, quantile, stateAt, timeOfDay, trail,
} from "../../../sim/results/replay_page/assets/core.mjs";

const f64 = (values) => Float64Array.from(values);

function column(values, Type, dtype) {
  return { dtype, b64: Buffer.from(new Type(values).buffer).toString("base64") };
}

const boat = { id: "usv-1", t: f64([0, 10, 20]), x: f64([0, 100, 100]), y: f64([0, 0, 50]), heading: f64([90, 0, 0]), state: Uint8Array.from([0, 1, 2]) };

function smallRun() {
  const nan = NaN;
  return {
    duration_s: 1000,
    boat_ids: ["usv-1"],
    state_names: ["docked", "outbound", "on_scene", "returning", "patrolling"],
    boats: [boat],
    incidents: {
      count: 3,
      id: Int32Array.from([1, 2, 3]),
      t_start: f64([100, 200, 300]),
      t_end: f64([900, 250, 2000]),
      t_detected: f64([110, nan, 320]),
      t_dispatched: f64([115, nan, 330]),
      t_boat_arrived: f64([150, nan, nan]),
      t_warning: f64([160, nan, nan]),
      t_offender_left: f64([400, nan, nan]),
    },
    missions: { count: 1, boat: Int16Array.from([0]), incident: Int32Array.from([-1]), t_assigned: f64([500]), t_done: f64([600]) },
    events: { t: f64([100, 110, 160, 400]) },
  };
}

test("columns decode from base64 little-endian bytes", () => {
  assert.deepEqual(Array.from(decodeColumn(column([1.5, -2, 1e9], Float64Array, "f64"))), [1.5, -2, 1e9]);
  assert.deepEqual(Array.from(decodeColumn(column([-1, 7], Int16Array, "i16"))), [-1, 7]);
});

test("countAtOrBefore is a right bisection", () => {
  const values = f64([1, 2, 2, 5]);
  assert.equal(countAtOrBefore(values, 0), 0);
  assert.equal(countAtOrBefore(values, 2), 3);
  assert.equal(countAtOrBefore(values, 9), 4);
});

test("quantile interpolates linearly like numpy", () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.ok(Math.abs(quantile([10, 20, 30, 40, 50], 0.9) - 46) < 1e-12);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test("a boat is interpolated between its samples and keeps the state of the one before", () => {
  assert.deepEqual([boatAt(boat, 5).x, boatAt(boat, 5).y, boatAt(boat, 5).state], [50, 0, 0]);
  assert.deepEqual([boatAt(boat, 15).x, boatAt(boat, 15).y, boatAt(boat, 15).state], [100, 25, 1]);
  assert.deepEqual([boatAt(boat, 99).x, boatAt(boat, 99).y], [100, 50]);
  assert.deepEqual([boatAt(boat, -5).x, boatAt(boat, -5).state], [0, 0]);
});

test("a trail runs from t - seconds to the boat's position at t", () => {
  assert.deepEqual(trail(boat, 15, 10), [50, 0, 100, 0, 100, 25]);
});

test("incident stages follow the clock, then the outcome lingers", () => {
  const run = smallRun();
  const stages = [99, 105, 112, 120, 155, 399, 400].map((t) => incidentStage(run.incidents, 0, t));
  assert.deepEqual(stages, [null, "undetected", "detected", "dispatched", "on_scene", "on_scene", "outcome"]);
  assert.equal(incidentStage(run.incidents, 0, 400 + 10000), null);
});

test("open incidents: started and not yet gone (left, else planned end)", () => {
  const run = smallRun();
  const index = buildIndex(run);
  assert.deepEqual(openIncidents(run, index, 210), [1, 2]);
  assert.deepEqual(openIncidents(run, index, 260), [1]);
  assert.deepEqual(openIncidents(run, index, 350), [1, 3]);
  assert.deepEqual(openIncidents(run, index, 500), [3]);
});

test("figures so far: detection rate, response quantiles, false dispatches", () => {
  const run = smallRun();
  const index = buildIndex(run);
  const early = figuresAt(run, index, 120);
  assert.equal(early.detectionRate, 1);
  assert.equal(early.responseN, 0);
  const later = figuresAt(run, index, 700);
  assert.equal(later.detectionRate, 2 / 3); // incident 2 left undetected at 250
  assert.equal(later.responseMedian, 60);
  assert.equal(later.falseDispatches, 1);
  assert.equal(figuresAt(run, index, 15).busy, 1);
});

test("state at t names the boats, open incidents and the last event", () => {
  const run = smallRun();
  const state = stateAt(run, buildIndex(run), 150);
  assert.deepEqual(state.boats, [{ id: "usv-1", x: 100, y: 50, state: "on_scene" }]);
  assert.deepEqual(state.open_incidents, [1]);
  assert.equal(state.log_index, 1);
});

test("the nearest frame is found within its window only", () => {
  const frames = [{ t: 10 }, { t: 20 }, { t: 40 }];
  assert.equal(nearestFrame(frames, 24, 5).t, 20);
  assert.equal(nearestFrame(frames, 31, 20).t, 40);
  assert.equal(nearestFrame(frames, 100, 20), null);
});

test("times are typed and shown in several forms", () => {
  assert.equal(parseTime("754.5"), 754.5);
  assert.equal(parseTime("15m"), 900);
  assert.equal(parseTime("1h20m"), 4800);
  assert.equal(parseTime("01:02:03"), 3723);
  assert.equal(parseTime("1d+02:00"), 93600);
  assert.equal(parseTime("soon"), null);
  assert.equal(formatClock(3723), "01:02:03");
  assert.equal(formatClock(93600), "1d+02:00:00");
});

test("the time of day follows the run's start, with a T or a space", () => {
  assert.equal(timeOfDay("2026-07-18T12:00:00", 3723), "13:02");
  assert.equal(timeOfDay("2026-07-18 23:30:00", 3600), "00:30");
  assert.equal(timeOfDay("", 10), "");
});

test("a drone sortie flies out, holds its station, and flies back", () => {
  const run = {
    scene: { drone_bases: [{ id: "drone-1", x: 0, y: 0 }] },
    sorties: {
      count: 1, drone: Int16Array.from([0]), x: f64([100]), y: f64([0]),
      t_depart: f64([10]), t_arrive: f64([20]), t_leave: f64([50]), t_back: f64([60]),
    },
  };
  assert.equal(sortieAt(run, 0, 5), null);
  assert.deepEqual(sortieAt(run, 0, 15), { x: 50, y: 0 });
  assert.deepEqual(sortieAt(run, 0, 30), { x: 100, y: 0 });
  assert.deepEqual(sortieAt(run, 0, 55), { x: 50, y: 0 });
  assert.equal(sortieAt(run, 0, 60), null);
});

test("a boat's mission lasts from its assignment until it is done", () => {
  const run = smallRun();
  const index = buildIndex(run);
  assert.equal(missionAt(run, index, 0, 499), -1);
  assert.equal(missionAt(run, index, 0, 550), 0);
  assert.equal(missionAt(run, index, 0, 600), -1);
});

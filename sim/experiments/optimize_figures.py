"""Figures of a study, drawn with matplotlib's Figure API into ``DIR/figures/``.

``history.png``: each objective per trial and the best so far; ``pareto.png`` (several objectives): the
feasible and infeasible trials, the Pareto front and the scenario as given; ``importances.png``: each
parameter's importance to each objective (:func:`optuna.importance.get_param_importances`, fANOVA by
default); ``layout.png``: the best layout beside the given one on the zone map (cameras with the
direction they face, docks, the number of boats).
"""

from __future__ import annotations

import math
from pathlib import Path

import optuna
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.experiments import objectives as obj
from sim.experiments.optimize_outputs import trials_table
from sim.experiments.optimizer import Plan, trial_overrides
from sim.results.figure_style import centred_note, save
from sim.scenario.models import Scenario
from sim.world.geometry import ZoneGeometry


def write_figures(
    plan: Plan, study: optuna.Study, out: Path, best: list[optuna.trial.FrozenTrial]
) -> list[Path]:
    """Write every figure of the study; returns their paths."""
    folder = Path(out) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    paths = [
        history(plan, study, folder / "history.png"),
        importances(plan, study, folder / "importances.png"),
    ]
    if len(plan.study.objectives) > 1:
        paths.append(pareto(plan, study, best, folder / "pareto.png"))
    paths.append(layout(plan, best, folder / "layout.png"))
    return paths


def history(plan: Plan, study: optuna.Study, path: Path) -> Path:
    """Each objective against the trial number, with the best feasible value so far."""
    table = trials_table(plan, study)
    objectives = plan.study.objectives
    fig = Figure(figsize=(7.0, 2.6 * len(objectives)))
    axes = fig.subplots(len(objectives), 1, squeeze=False)[:, 0]
    for ax, objective in zip(axes, objectives, strict=True):
        done = table[table["state"] == "complete"]
        good = done[done["feasible"]]
        ax.scatter(
            done["trial"], done[objective.column], s=14, color="#999999", label="trial (constraint not met)"
        )
        ax.scatter(good["trial"], good[objective.column], s=14, color="#4c72b0", label="trial (feasible)")
        best = (
            good[objective.column].cummin()
            if objective.direction == "minimize"
            else good[objective.column].cummax()
        )
        ax.step(
            good["trial"], best, where="post", color="#c44e52", label="best feasible so far (this objective)"
        )
        ax.set_ylabel(f"{objective.column}\n({objective.direction})", fontsize=8)
        ax.legend(fontsize=7, frameon=False)
    axes[-1].set_xlabel("trial")
    axes[0].set_title(
        f"Optimisation history — {plan.name} (mean over {len(plan.study.seed_list)} seeds)", fontsize=10
    )
    return save(fig, path)


def importances(plan: Plan, study: optuna.Study, path: Path) -> Path:
    """Horizontal bars: each parameter's importance to each objective (Optuna's importance evaluator)."""
    fig = Figure(figsize=(7.0, 1.0 + 0.5 * max(1, len(plan.study.space)) * len(plan.study.objectives)))
    ax = fig.subplots()
    complete = [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]
    bars: list[tuple[str, float]] = []
    for i, objective in enumerate(plan.study.objectives):
        try:
            evaluator = optuna.importance.FanovaImportanceEvaluator(seed=plan.study.sampler_seed)
            found = optuna.importance.get_param_importances(
                study, evaluator=evaluator, target=lambda t, i=i: t.values[i]
            )
        except (RuntimeError, ValueError):
            found = {}
        bars += [(f"{key} → {objective.column}", value) for key, value in found.items()]
    if len(complete) < 2 or not bars:
        centred_note(ax, "too few finished trials to rank the parameters")
        return save(fig, path)
    labels, values = zip(*reversed(bars), strict=True)
    ax.barh(range(len(values)), values, color="#4c72b0")
    ax.set_yticks(range(len(values)), labels, fontsize=7)
    ax.set_xlabel("importance (share of the objective's variance, fANOVA)")
    ax.set_title(f"Parameter importances — {plan.name} ({len(complete)} trials)", fontsize=10)
    return save(fig, path)


def pareto(plan: Plan, study: optuna.Study, best: list[optuna.trial.FrozenTrial], path: Path) -> Path:
    """The first two objectives of every trial, the Pareto front, and the scenario as given."""
    table = trials_table(plan, study)
    x, y = (o.column for o in plan.study.objectives[:2])
    fig = Figure(figsize=(7.0, 5.0))
    ax = fig.subplots()
    done = table[table["state"] == "complete"]
    ax.scatter(done[x], done[y], s=16, color="#bbbbbb", label="trial (constraint not met)")
    good = done[done["feasible"]]
    ax.scatter(good[x], good[y], s=16, color="#4c72b0", label="trial (feasible)")
    front = sorted((t.user_attrs["means"][x], t.user_attrs["means"][y]) for t in best)
    if front:
        ax.plot(*zip(*front, strict=True), "-o", color="#c44e52", markersize=5, label="Pareto front")
    given = given_means(plan)
    ax.scatter([given.get(x, math.nan)], [given.get(y, math.nan)], marker="*", s=180, color="#222222",
               label="scenario as given", zorder=5)  # fmt: skip
    ax.set_xlabel(f"{x} (currency units)" if x == "cost" else x)
    ax.set_ylabel(f"{y} (currency units)" if y == "cost" else y)
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(f"Pareto front — {plan.name} (mean over the search seeds)", fontsize=10)
    return save(fig, path)


def given_means(plan: Plan) -> dict[str, float]:
    """The given scenario's column means over the search seeds (run here, in this process)."""
    runs = [obj.run_metrics((plan.given, seed)) for seed in plan.study.seed_list]
    means = obj.mean_metrics(runs)
    means["cost"] = obj.cost(plan.study, plan.given)
    return means


def layout(plan: Plan, best: list[optuna.trial.FrozenTrial], path: Path) -> Path:
    """The scenario as given beside the best candidate: water, cameras (facing), docks, boats."""
    fig = Figure(figsize=(11.0, 5.2))
    left, right = fig.subplots(1, 2)
    _draw_layout(left, plan.given, "as given", plan.given)
    if best:
        _draw_layout(
            right, plan.scenario(trial_overrides(best[0])), f"best: trial {best[0].number}", plan.given
        )
    else:
        centred_note(right, "no feasible trial")
    return save(fig, path)


def _draw_layout(ax: Axes, scenario: Scenario, title: str, given: Scenario) -> None:
    """Water, islands, no-go areas, cameras (arrow: facing), docks with their boats, drone bases; what
    differs from ``given`` in red and labelled."""
    geometry = ZoneGeometry(scenario)
    ax.set_facecolor("#e9efe1")
    for polygon in getattr(geometry.water, "geoms", [geometry.water]):
        ax.fill(*polygon.exterior.xy, facecolor="#a9cce3", edgecolor="#5b8db8", linewidth=0.8)
        for ring in polygon.interiors:
            ax.fill(*ring.xy, facecolor="#b8cf9c", edgecolor="#6a8a4a", linewidth=0.8)
    for area in (*scenario.zone.no_swimming, *scenario.zone.no_fishing):
        ax.fill(
            *zip(*area.polygon, strict=True), facecolor="none", edgecolor="#c44e52", hatch="//", linewidth=0.6
        )
    before = {c.id: (c.position, c.yaw) for c in given.cameras} | {d.id: (d.position,) for d in given.docks}
    for camera in scenario.cameras:
        cx, cy = camera.position
        moved = before.get(camera.id) != (camera.position, camera.yaw)
        colour = "#c0392b" if moved else "#b7950b"
        dx, dy = math.sin(math.radians(camera.yaw)), math.cos(math.radians(camera.yaw))
        ax.annotate("", xy=(cx + 60 * dx, cy + 60 * dy), xytext=(cx, cy),
                    arrowprops={"arrowstyle": "->", "color": colour, "lw": 1.4})  # fmt: skip
        ax.plot(cx, cy, "^", color=colour, markersize=6)
        if moved:
            ax.annotate(
                camera.id, (cx, cy), xytext=(-5, -11), textcoords="offset points", fontsize=7, color=colour
            )
    for dock in scenario.docks:
        colour = "#c0392b" if before.get(dock.id) != (dock.position,) else "#222222"
        ax.plot(*dock.position, "s", color=colour, markersize=6)
        boats = sum(boat.dock == dock.id for boat in scenario.boats)
        label = f"{dock.id}: {boats} boat{'s' if boats != 1 else ''}"
        ax.annotate(label, dock.position, xytext=(5, 5), textcoords="offset points", fontsize=7, color=colour)
    for drone in scenario.drones:
        ax.plot(*drone.position, "P", color="#8172b2", markersize=7)
    ax.set_xlim(0, scenario.zone.width)
    ax.set_ylim(0, scenario.zone.height)
    ax.set_aspect("equal")
    moved = "; moved in red" if scenario is not given else ""
    ax.set_title(
        f"{title}: {len(scenario.cameras)} cameras (arrow: facing), {len(scenario.boats)} boats{moved}",
        fontsize=9,
    )
    ax.set_xlabel("x east (m)")
    ax.set_ylabel("y north (m)")

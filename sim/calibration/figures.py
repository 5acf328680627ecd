"""Figures of calibration: a detector scored on rendered clips, and the threshold chosen end to end.

- ``precision_recall.png``, ``roc.png``, ``threshold_tradeoff.png``: :func:`tuning_figures`, from the
  threshold table and the scores of ``tune``;
- ``end_to_end.png``: :func:`end_to_end_figure` builds it from the table of ``tune --end-to-end``,
  :func:`draw_end_to_end_figure` saves it;
- ``recall_by_light.png``: :func:`recall_by_light_figure` from ``tune``'s ``by_light.csv`` (one tune or
  several: visible and thermal cameras side by side), :func:`draw_recall_by_light` saves it;
- ``false_alarms.png``: :func:`false_alarm_figure` from the table of ``tune --report``
  (:mod:`sim.calibration.false_alarm_evidence`), :func:`draw_false_alarm_figure` saves it;
- ``agreement.png``: :func:`agreement_figure` from the agreement table of ``tune --report``
  (:mod:`sim.calibration.agreement_report`).

Here, not in :mod:`sim.results`, because the ROC comes from :mod:`detectors.score_curves` and only
``sim.pixel`` and ``sim.calibration`` may import ``detectors``. Built with matplotlib's object API
(:mod:`sim.results.figure_style`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from detectors.score_curves import roc_curve
from sim.results.figure_style import save


def tuning_figures(table: pd.DataFrame, observations, folder: Path, kind: str) -> list[Path]:
    """Precision-recall, detection ROC, and time to detect and false alarms against the threshold.

    ``table``: one row per threshold (``threshold, precision, recall, ttd_p50_s, false_alarms_per_hour``);
    ``observations``: per clip, detection ``scores`` and whether each was a true offender (``labels``).
    """
    return [
        save(precision_recall_figure(table, kind), folder / "precision_recall.png"),
        save(roc_figure(observations, kind), folder / "roc.png"),
        save(threshold_tradeoff_figure(table, kind), folder / "threshold_tradeoff.png"),
    ]


def precision_recall_figure(table: pd.DataFrame, kind: str) -> Figure:
    """Per-frame precision against recall over the thresholds, about six of them labelled."""
    fig = Figure(figsize=(5.2, 4.4))
    ax = fig.subplots()
    rows = table.dropna(subset=["precision", "recall"])
    ax.plot(rows["recall"], rows["precision"], marker="o", markersize=3)
    for _, row in rows.iloc[:: max(1, len(rows) // 6)].iterrows():
        ax.annotate(
            f"{row['threshold']:.2f}",
            (row["recall"], row["precision"]),
            fontsize=7,
            textcoords="offset points",
            xytext=(4, 4),
        )
    ax.set_xlabel("recall (per frame)")
    ax.set_ylabel("precision (per frame)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(f"{kind}: precision-recall over thresholds", fontsize=10)
    return fig


def roc_figure(observations, kind: str) -> Figure:
    """ROC over the detections' scores (true offender or not), or a note when it is undefined."""
    scores = np.concatenate(observations.scores) if observations.scores else np.zeros(0)
    labels = np.concatenate(observations.labels) if observations.labels else np.zeros(0, bool)
    fig = Figure(figsize=(5.2, 4.4))
    ax = fig.subplots()
    if labels.any() and (~labels).any():
        roc = roc_curve(scores, labels)
        ax.plot(roc.false_positive_rate, roc.true_positive_rate, label=f"AUC {roc.auc:.3f}")
        ax.legend(loc="lower right")
    else:
        ax.text(0.5, 0.5, "ROC undefined: detections were all true or all false", ha="center", fontsize=8)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=0.8)
    ax.set_xlabel("false positive rate (among detections)")
    ax.set_ylabel("true positive rate (among detections)")
    ax.grid(alpha=0.3)
    ax.set_title(f"{kind}: detection-level ROC", fontsize=10)
    return fig


def threshold_tradeoff_figure(table: pd.DataFrame, kind: str) -> Figure:
    """Median time to detect (s, left axis) and false alarms per camera-hour (right axis) per threshold."""
    fig = Figure(figsize=(6.0, 4.0))
    ax = fig.subplots()
    ax.plot(table["threshold"], table["ttd_p50_s"], marker="o", markersize=3, color="#1f77b4")
    ax.set_xlabel("score threshold")
    ax.set_ylabel("median time to detect (s)", color="#1f77b4")
    ax.grid(alpha=0.3)
    other = ax.twinx()
    other.plot(table["threshold"], table["false_alarms_per_hour"], marker="s", markersize=3, color="#d62728")
    other.set_ylabel("false alarms per camera-hour", color="#d62728")
    # Low thresholds alarm on every flicker (thousands per hour): a log scale keeps the rest legible.
    other.set_yscale("symlog", linthresh=1.0)
    # At least up to 10 per hour, so the axis has its 0, 1 and 10 ticks even when false alarms are rare.
    peak = float(np.nanmax(table["false_alarms_per_hour"], initial=0.0))
    other.set_ylim(bottom=0, top=max(10.0, 2.0 * peak))
    ax.set_title(f"{kind}: time to detect and false alarms against the threshold", fontsize=10)
    return fig


def draw_end_to_end_figure(table: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Save :func:`end_to_end_figure` of ``table`` to ``path``; returns ``path``."""
    return save(end_to_end_figure(table, title), path)


def end_to_end_figure(table: pd.DataFrame, title: str = "") -> Figure:
    """Median response time and missed share against false dispatches per day, one point per threshold.

    ``table``: one row per threshold (``threshold, response_p50_s, missed_share, false_dispatches_per_day``,
    and the ``_ci95`` half-widths drawn as whiskers when present), as ``tune --end-to-end`` writes it.
    """
    fig = Figure(figsize=(9.6, 4.0))
    left, right = fig.subplots(1, 2)
    for ax, column, label in (
        (left, "response_p50_s", "median response time (s)"),
        (right, "missed_share", "share of incidents missed"),
    ):
        rows = table.dropna(subset=[column])
        ax.plot(rows["false_dispatches_per_day"], rows[column], marker="o", markersize=4)
        if f"{column}_ci95" in rows:  # 95 % intervals across seeds, where there are two seeds or more
            ax.errorbar(
                rows["false_dispatches_per_day"],
                rows[column],
                yerr=rows[f"{column}_ci95"].astype(float).fillna(0.0),
                fmt="none",
                ecolor="#4c72b0",
                alpha=0.6,
                capsize=3,
            )
        # Low thresholds dispatch thousands of times a day, high ones a handful: a log scale shows both.
        ax.set_xscale("symlog", linthresh=10.0)
        ax.set_xlim(left=-1.0)  # points at 0 false dispatches and their whiskers drawn whole
        ax.set_ylim(bottom=0)  # a whisker below zero would draw an impossible time or share
        if column == "missed_share":
            top = rows[column] + rows.get(f"{column}_ci95", 0.0 * rows[column]).astype(float).fillna(0.0)
            ax.set_ylim(0, max(0.05, 1.15 * float(np.nanmax(top, initial=0.0))))
        _label_apart(ax, rows["false_dispatches_per_day"], rows[column], rows["threshold"])
        ax.set_xlabel("false dispatches per day (log scale above 10)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    fig.suptitle(f"Choosing the detector threshold — {title}", fontsize=10)
    return fig


def _label_apart(ax: Axes, xs, ys, thresholds, box_px: tuple[float, float] = (50.0, 12.0)) -> None:
    """Label points "τ=…", skipping a point whose label would overlap one already placed (closer than
    ``box_px``, a label's width and height in display pixels): thresholds whose outcomes coincide would
    print over each other."""
    ax.relim()
    ax.autoscale_view()
    placed: list[np.ndarray] = []
    points = list(zip(xs, ys, thresholds, strict=True))
    for x, y, tau in points[-1:] + points[:-1]:  # the ends of the curve first: they frame the range
        where = ax.transData.transform((x, y))
        if any(np.all(np.abs(where - other) < box_px) for other in placed):
            continue
        placed.append(where)
        ax.annotate(f"τ={tau:.2f}", (x, y), fontsize=7, textcoords="offset points", xytext=(4, 3))


def false_alarm_figure(table: pd.DataFrame) -> Figure:
    """False alarms per camera-hour of each detector, light and camera type (``tune --false-alarm-hours``'s
    table): the fit clips' rate and the held-out clips' rate, each with its exact 95 % interval, and the
    fitted model's rate at the operating threshold; hours and alarms in each label."""
    n = len(table)
    figure = Figure(figsize=(9.5, 1.4 + 0.75 * max(n, 1)))
    ax = figure.add_subplot()
    for i, row in enumerate(table.itertuples()):
        y = n - 1 - i
        for part, offset, colour in (("fit", 0.14, "tab:blue"), ("held_out", -0.14, "tab:orange")):
            rate, low, high = (getattr(row, f"{part}_{k}") for k in ("rate", "low", "high"))
            if not np.isfinite(rate):
                continue
            ax.errorbar(
                [rate],
                [y + offset],
                xerr=[[rate - low], [high - rate]],
                fmt="o",
                color=colour,
                capsize=3,
                label=None if i else ("fit clips" if part == "fit" else "held-out clips"),
            )
            hours, alarms = getattr(row, f"{part}_hours"), getattr(row, f"{part}_alarms")
            ax.annotate(
                f"{alarms} in {hours:.2f} h",
                (high, y + offset),
                xytext=(4, -3),
                textcoords="offset points",
                fontsize=7,
            )
        if np.isfinite(row.fitted_rate):
            ax.plot([row.fitted_rate], [y + 0.14], "k|", markersize=12, label=None if i else "fitted model")
    labels = [f"{r.detector}, {r.light}\n{r.camera_type}, τ {r.threshold:g}" for r in table.itertuples()]
    ax.set_yticks(range(n - 1, -1, -1), labels, fontsize=8)
    ax.set_xscale("symlog", linthresh=0.1)
    highest = np.nanmax(table[["fit_high", "held_out_high"]].to_numpy(float), initial=1.0)
    ax.set_xlim(0.0, 6.0 * highest)  # room for the labels right of the intervals
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel("false alarms per camera-hour (exact 95 % Poisson interval)")
    ax.set_title("False alarms on the tune clips: fitted against held out")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return figure


def draw_false_alarm_figure(table: pd.DataFrame, path: Path) -> Path:
    return save(false_alarm_figure(table), path)


def agreement_figure(table: pd.DataFrame, rate_points: float, median_share: float) -> Figure:
    """Statistical mode against pixel mode, a point per fit and kind (the agreement report's table): the
    detection rate (left, the goal's band of ± ``rate_points`` percentage points around equality) and the
    median time to detect (right, the band of ± ``median_share``); a point is filled where both goals are
    met, hollow where one is missed."""
    figure = Figure(figsize=(10.0, 4.6))
    panels = (
        (
            "pixel_rate",
            "statistical_rate",
            "detection rate",
            lambda x: (x - rate_points / 100, x + rate_points / 100),
        ),
        (
            "pixel_ttd_p50_s",
            "statistical_ttd_p50_s",
            "median time to detect, s",
            lambda x: (x * (1 - median_share), x * (1 + median_share)),
        ),
    )
    for ax, (x_column, y_column, label, band) in zip(figure.subplots(1, 2), panels, strict=True):
        values = table[[x_column, y_column]].to_numpy(float)
        top = 1.0 if x_column == "pixel_rate" else 1.15 * np.nanmax(values, initial=1.0)
        line = np.linspace(0.0, top, 50)
        low, high = band(line)
        ax.fill_between(line, low, high, color="tab:green", alpha=0.15, label="goal")
        ax.plot(line, line, color="grey", linewidth=0.8)
        for row in table.itertuples():
            met = row.rate_goal_met and row.ttd_goal_met
            x, y = getattr(row, x_column), getattr(row, y_column)
            ax.plot([x], [y], "o", color="tab:blue", markerfacecolor="tab:blue" if met else "white")
            ax.annotate(
                f"{row.fit}, {row.kind}", (x, y), fontsize=7, textcoords="offset points", xytext=(4, -9)
            )
        ax.set_xlim(0.0, top)
        ax.set_ylim(0.0, top)
        ax.set_aspect("equal")
        ax.set_xlabel(f"pixel mode: {label}")
        ax.set_ylabel(f"statistical mode: {label}")
        ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    figure.suptitle("Statistical mode against pixel mode (filled: both goals met)", fontsize=10)
    return figure


SENSOR_COLOURS = {"visible": "#4c72b0", "thermal": "#c44e52"}
"""Bar colours of the camera types in :func:`recall_by_light_figure`."""


def recall_by_light_figure(table: pd.DataFrame, title: str) -> Figure:
    """Per-frame recall (left) and the share of offenders alarmed (right) by light, a bar per camera type,
    each labelled with its offenders: ``by_light.csv`` of one or more tune runs (``light, sensor, offenders,
    frame_recall, alarmed_share``)."""
    figure = Figure(figsize=(9.0, 3.8))
    lights = [light for light in ("night", "dusk", "day") if light in set(table["light"])]
    sensors = [s for s in SENSOR_COLOURS if s in set(table["sensor"])]
    width = 0.8 / max(len(sensors), 1)
    for ax, column, label in zip(
        figure.subplots(1, 2),
        ("frame_recall", "alarmed_share"),
        ("recall per frame", "offenders alarmed (k-of-n)"),
        strict=True,
    ):
        for j, sensor in enumerate(sensors):
            rows = table[table["sensor"] == sensor].set_index("light")
            xs = [
                i + (j - (len(sensors) - 1) / 2) * width
                for i, light in enumerate(lights)
                if light in rows.index
            ]
            values = [float(rows.loc[light, column]) for light in lights if light in rows.index]
            counts = [int(rows.loc[light, "offenders"]) for light in lights if light in rows.index]
            ax.bar(xs, values, width, color=SENSOR_COLOURS[sensor], label=sensor)
            for x, value, n in zip(xs, values, counts, strict=True):
                ax.annotate(f"{value:.2f}\nn={n}", (x, value), ha="center", va="bottom", fontsize=7)
        ax.set_xticks(range(len(lights)), lights)
        ax.set_ylim(0, 1.35)  # room for the labels and, above them, the legend
        ax.set_ylabel(label)
        ax.grid(axis="y", alpha=0.3)
    ax.legend(title="camera", fontsize=8, title_fontsize=8, loc="upper center", ncol=max(len(sensors), 1))
    figure.suptitle(title, fontsize=10)
    return figure


def draw_recall_by_light(table: pd.DataFrame, path: Path, title: str) -> Path:
    """:func:`recall_by_light_figure` saved to ``path``."""
    return save(recall_by_light_figure(table, title), path)

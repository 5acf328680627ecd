"""``tune --report`` on ``tune --pixel-runs`` folders: the agreement table against the goals, by hand, its
figure, and bad input (one line, exit 2, nothing written)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.calibration.agreement import AGREEMENT_COLUMNS
from tests.helpers.cli import assert_one_error_line, call_main


def fit_folder(folder, swimming, held_out=True, model="hazard"):
    """What ``tune --pixel-runs`` writes, with swimming's (pixel rate, median, statistical rate, median)
    and no angler in view."""
    folder.mkdir()
    pixel_rate, pixel_ttd, stat_rate, stat_ttd = swimming
    quantiles = (0.4, 0.7, 1.0, 1.4, 2.0)  # ttd p10, p25, p50, p75, p90 as multiples of the median
    rows = [
        ("fishing", "pixel", 0, 0, None, *[None] * 5),
        ("fishing", "statistical", 0, 0, None, *[None] * 5),
        ("swimming", "pixel", 86, round(86 * pixel_rate), pixel_rate, *[q * pixel_ttd for q in quantiles]),
        ("swimming", "statistical", 86, round(86 * stat_rate), stat_rate, *[q * stat_ttd for q in quantiles]),
    ]
    pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS)).to_csv(folder / "agreement.csv", index=False)
    choice = pd.DataFrame(
        [("swimming", model, 9000, -100.0, 3000 if held_out else 0, -40.0 if held_out else None, True)],
        columns=["kind", "model", "fit_frames", "fit_log_likelihood", "held_out_frames",
                 "held_out_log_likelihood", "chosen"],
    )  # fmt: skip
    choice.to_csv(folder / "model_choice.csv", index=False)
    source = {"source": f"Fitted to pixel mode by `run_sim.py tune --pixel-runs` ({folder.name})"}
    (folder / "calibration.json").write_text(json.dumps(source), encoding="utf-8")
    return folder


def test_agreement_rows_hold_each_fit_against_the_goals(tmp_path, capsys):
    """+3.1 points and +0 %: both met; +7.1 points and +16.8 %: the rate missed; −2 points and −25 %: the
    median missed. Fishing had no angler in view: no row."""
    met = fit_folder(tmp_path / "hazard-300s", (0.826, 9.27, 0.857, 9.27))
    rate = fit_folder(tmp_path / "ordinal-300s", (0.826, 9.27, 0.897, 10.83), held_out=False, model="ordinal")
    median = fit_folder(tmp_path / "far-bank", (0.60, 20.0, 0.58, 15.0))
    out = tmp_path / "report"
    assert call_main(["tune", "--report", str(met), str(rate), str(median), "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == {"agreement.md", "agreement.csv", "agreement.png"}
    table = pd.read_csv(out / "agreement.csv").set_index("fit")
    assert list(table.index) == ["hazard-300s", "ordinal-300s", "far-bank"] and set(table["kind"]) == {
        "swimming"
    }
    assert table["rate_points"].tolist() == pytest.approx([3.1, 7.1, -2.0])
    assert table["ttd_p50_change"].tolist() == pytest.approx([0.0, 0.1683, -0.25], abs=1e-4)
    assert table["rate_goal_met"].tolist() == [True, False, True]
    assert table["ttd_goal_met"].tolist() == [True, True, False]
    assert table["checked_on"].tolist() == ["held-out seeds", "fitting seeds", "held-out seeds"]
    assert table["model"].tolist() == ["hazard", "ordinal", "hazard"]
    text = (out / "agreement.md").read_text(encoding="utf-8")
    assert (
        "| ordinal-300s | swimming | ordinal | fitting seeds | 86 | 0.826 | 0.897 | +7.1 | **missed** |"
        in text
    )
    assert "- far-bank: Fitted to pixel mode by `run_sim.py tune --pixel-runs` (far-bank)" in text
    assert (out / "agreement.png").stat().st_size > 10_000
    assert "written:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d.mkdir(), ("--report", "neither false-alarm evidence")),
        (
            lambda d: (d.mkdir(), (d / "agreement.csv").write_text("kind,mode\nswimming,pixel\n")),
            ("--report", "agreement.csv", "no column", "incidents_visible"),
        ),
        (
            lambda d: (
                fit_folder(d, (0.0, 0.0, 0.0, 0.0))
                .joinpath("agreement.csv")
                .write_text(
                    ",".join(AGREEMENT_COLUMNS)
                    + "\nswimming,pixel,0,0,,,,,,\nswimming,statistical,0,0,,,,,,\n"
                )
            ),
            ("--report", "no offender was in view"),
        ),
    ],
)
def test_bad_report_folders_are_one_line_and_write_nothing(tmp_path, capsys, make, expected):
    make(tmp_path / "fit")
    rc = call_main(["tune", "--report", str(tmp_path / "fit"), "--out", str(tmp_path / "report")])
    assert_one_error_line(capsys, rc, expected)
    assert not (tmp_path / "report").exists()


def test_two_fits_with_one_name_are_refused(tmp_path, capsys):
    a = fit_folder(tmp_path / "a", (0.8, 9.0, 0.8, 9.0)).parent
    (tmp_path / "b").mkdir()
    fit_folder(tmp_path / "b" / "a", (0.8, 9.0, 0.8, 9.0))
    rc = call_main(
        ["tune", "--report", str(a / "a"), str(tmp_path / "b" / "a"), "--out", str(tmp_path / "r")]
    )
    assert_one_error_line(capsys, rc, ("--report", "share a name"))

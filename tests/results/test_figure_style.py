"""A figure's title is wrapped to stay inside the figure (sim.results.figure_style.fitted_title)."""

from matplotlib.figure import Figure

from sim.results.figure_style import fitted_title

LONG = (
    "Paired differences from baseline cameras.3.sensor=visible (3.sensor=visible, 4.sensor=visible, "
    "5.sensor=visible, 6.sensor=visible), seed by seed, 95% paired-t CI\n"
    "night_thermal: night_fishing, 40 seeds × 10 h"
)


def _title_extent(title: str, width_in: float) -> tuple[float, float, float]:
    """Left and right edge of the drawn suptitle and the figure's width, px."""
    fig = Figure(figsize=(width_in, 3.0))
    fig.subplots()
    text = fig.suptitle(title, fontsize=10)
    fig.draw_without_rendering()
    box = text.get_window_extent()
    return box.x0, box.x1, fig.bbox.width


def test_a_long_title_is_wrapped_inside_its_figure_and_a_short_one_kept():
    left, right, width = _title_extent(LONG, 6.0)
    assert left < 0 or right > width  # unwrapped, it runs past the edges (the failure being fixed)
    wrapped = fitted_title(LONG, 6.0)
    left, right, width = _title_extent(wrapped, 6.0)
    assert left >= 0 and right <= width
    assert wrapped.replace("\n", " ") == LONG.replace("\n", " ")  # only line breaks added, at spaces
    assert fitted_title("Response time by variant", 6.0) == "Response time by variant"

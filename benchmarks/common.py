"""Shared by the benchmark scripts; import it before numpy and OpenCV.

On import it limits numpy's BLAS to one thread (worker threads woken during a
setup would otherwise keep spinning into the timed loops; OpenCV is limited by
``cv2.setNumThreads`` in each script) and makes ``sim`` importable from this
checkout when the project is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import pstats
import sys
from pathlib import Path

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
for _variable in BLAS_THREAD_VARIABLES:
    os.environ.setdefault(_variable, "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("sim") is None:  # not installed: use the checkout this file is in
    sys.path.insert(0, str(REPO_ROOT))


def function_name(func: tuple[str, int, str]) -> str:
    """A pstats key as ``sim/render/renderer.py:409(render)``: paths shortened to the repo or the installed
    package."""
    filename, line, name = func
    if filename == "~":  # built-in
        return name
    path = Path(filename)
    try:
        short = path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        parts = path.parts
        cut = max((i for i, p in enumerate(parts) if p in ("site-packages", "dist-packages")), default=-1)
        short = "/".join(parts[cut + 1 :]) if cut >= 0 else path.name
    return f"{short}:{line}({name})"


def print_profile_rows(stats: pstats.Stats, top: int, count: float, per: str) -> None:
    """Print a header and the first ``top`` rows of ``stats`` as sorted by the caller: calls, own time and
    cumulative time (s), cumulative time per ``per`` (µs per frame, per event: over ``count`` of them)."""
    print(f"{'ncalls':>9} {'tottime s':>10} {'cumtime s':>10} {'cum µs/' + per:>13}  function")
    for func in stats.fcn_list[:top]:  # fcn_list: the sorted keys, set by sort_stats
        primitive, ncalls, tottime, cumtime, _ = stats.stats[func]
        calls = str(ncalls) if ncalls == primitive else f"{ncalls}/{primitive}"
        print(
            f"{calls:>9} {tottime:>10.4f} {cumtime:>10.4f} {cumtime / count * 1e6:>13.1f}  "
            f"{function_name(func)}"
        )


def proc_status(pid: int | str, field: str) -> int | None:
    """A ``kB`` field of /proc/PID/status (``VmRSS``, ``VmHWM``) of process ``pid`` (``"self"``: this one),
    bytes; None where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def machine_busy_s() -> float | None:
    """CPU time the whole machine has spent busy since boot (all cores; /proc/stat), s."""
    try:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
    busy = sum(values[:3]) + sum(values[5:8])
    return busy / os.sysconf("SC_CLK_TCK")

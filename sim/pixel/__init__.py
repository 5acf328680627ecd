"""Pixel mode: rendered frames analysed by the real detectors inside a run. The only bridge from
``sim`` to ``detectors`` apart from calibration."""

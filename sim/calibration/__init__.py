"""Calibrating statistical mode: fits of the detection model to pixel-mode detector scores (GLMM, HMM,
evidence window, false-alarm rates), the ``tune`` command, and the agreement of the two modes."""

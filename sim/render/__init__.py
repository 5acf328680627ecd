"""Synthetic camera frames with exact ground truth: conditions of light and weather, actors and their
sprites, the renderer, clips of a run and the contact sheet."""

"""Labelled frames for training detectors (``run_sim.py dataset``): plan, scenes, labels, card, export."""

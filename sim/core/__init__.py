"""The lowest layer: named random streams, small distributions, the logistic function, summary statistics,
output files that appear whole and worker processes. Knows nothing of the scenario."""

"""The lowest layer: named random streams, small distributions, the logistic function, summary statistics
and output files that appear whole. Knows nothing of the scenario."""

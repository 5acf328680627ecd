"""A run's results: the tables and KPIs of the output contract, the Result, writing and reading a run
folder, and the run's figures."""

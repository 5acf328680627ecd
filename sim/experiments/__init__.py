"""Many runs: sweep files, the runner, executors (process pool, Dask), the sweep table, paired
analysis and sweep figures."""

"""The zone and what happens in it: water, land and no-go areas, shortest paths on water, daylight,
cameras as geometry, incidents and their tracks, and the ground truth and record of a run."""

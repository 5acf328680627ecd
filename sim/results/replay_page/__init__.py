"""The replay page of a run: its tables as typed-array columns, the zone as a scene, and one
self-contained HTML file with the page's own JavaScript (``docs/replay.md``). Written with a run
folder like its figures; ``sim.replay`` adds camera frames and the command."""

"""The browser replay of a run: one self-contained ``replay.html`` (page assets are package data in
``assets/``, the run's tables inlined as typed-array columns), for one run or two side by side."""

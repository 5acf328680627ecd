"""Which renderer made a frame: stored with evidence gathered from rendered frames, so that evidence made by
an older renderer is never mixed with a newer one's."""

FRAMES_VERSION = 5
"""Raised by one whenever the renderer draws any frame differently (a fix, a new actor, new noise), so that
false-alarm evidence gathered on older frames is refused (``tune --false-alarm-hours``' ``plan.json``).

History: 1, the frames of the first false-alarm evidence (2026-12-05, before the range fix); 2, the sensor
noise tiles in a random order instead of a 7-frame cycle (2026-12-05 evening); 3, crest glints in the wave
tiles in clear daylight only (2026-12-05 night); 4, no motion blur for an actor whose exposure ends behind
the lens, and no actor drawn whose blur path is longer than the image's diagonal (2026-12-07: passing under
a camera's pole it was smeared along a path the ground homography made up to a million pixels long, and
where the kernel could not be allocated the run crashed); 5, haze, fog and rain blended by Koschmieder's law,
exp(−3.912 d / visibility), instead of exp(−d / visibility), which drew them about four times as transparent
as their visibility (clear frames unchanged)."""

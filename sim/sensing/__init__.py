"""Statistical mode: when the detectors would have raised an alarm on an offender, and when a camera
raises a false alarm, drawn from the calibrated detection model without rendering a pixel."""

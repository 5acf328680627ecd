"""Image -> detections. Never imports ``sim``."""

"""Image -> detections. Never imports ``sim``.

Importing the package registers the built-in detectors, so
``create_detector("swimming")`` or ``create_detector("onnx", model_path=...)`` work by name.
"""

from detectors import dnn, fishing, swimming  # noqa: F401  (registration side effect)

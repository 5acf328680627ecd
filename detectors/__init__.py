"""Image -> detections. Never imports ``sim``.

Detectors are built by name with ``detectors.registry.create_detector("swimming")`` or
``create_detector("onnx", model_path=...)``; ``detectors.registry.DETECTORS`` lists them.
"""

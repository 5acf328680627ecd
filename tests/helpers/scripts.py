"""The repository's scripts (``scripts/``, no package) loaded as modules for their tests."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.helpers.paths import ROOT


def script(name: str) -> ModuleType:
    """``scripts/<name>.py`` as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

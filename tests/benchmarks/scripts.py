"""Loading a script of ``benchmarks/`` (not a package) as a module, for the tests of this folder."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SHIPPED = BENCHMARKS.parent / "examples" / "checkpoints" / "small-quick-practical-s0.pt"
"""The shipped 300-episode checkpoint of suite task small-quick."""


def load_script(filename: str, name: str | None = None) -> ModuleType:
    """``benchmarks/<filename>`` executed as module ``name`` (default: the file's stem), registered in
    ``sys.modules`` first (dataclasses look their module up while the script is executed)."""
    spec = importlib.util.spec_from_file_location(name or Path(filename).stem, BENCHMARKS / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module

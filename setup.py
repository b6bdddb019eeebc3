"""Build: plain Python by default; CARECOORD_COMPILE=1 compiles the model's modules with mypyc.

Everything else about the package is in pyproject.toml. The numbers are the same either way; the
compiled model is faster per event but, for now, keeps every finished world in memory, so it is
opt-in (docs/performance.md, "Compiled model (mypyc)"; tests/unit/test_world_freed.py fails compiled).
"""

import glob
import os
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from setuptools import setup

# The model (one replication of one arm; its package __init__ files stay Python) and the modules its
# event loop calls. All compiled or none: tests/unit/test_build_info.py checks the model's modules.
MODEL = sorted(p for p in glob.glob("carecoord/model/**/*.py", recursive=True) if not p.endswith("__init__.py"))
COMPILED = [
    *MODEL,
    "carecoord/calendar.py",
    "carecoord/daycycle.py",
    "carecoord/locations.py",
    "carecoord/rates.py",
    "carecoord/recording.py",
    "carecoord/streams.py",
]
SHARED_LIBRARY = "carecoord.native"
"""mypyc's group name: its shared library is carecoord/native__mypyc.*.so, inside the package."""


def compile_model() -> bool:
    """CARECOORD_COMPILE=1 asks for the compiled model; CARECOORD_PURE_PYTHON=1 always wins."""
    wanted = os.environ.get("CARECOORD_COMPILE", "").strip().lower() in ("1", "true", "yes")
    return wanted and os.environ.get("CARECOORD_PURE_PYTHON", "").strip().lower() not in ("1", "true", "yes")


def remove_compiled() -> None:
    """An editable install builds extensions next to the sources, and Python imports an extension
    before a .py file: a pure build removes those an earlier compiled build left there."""
    stems = [path[: -len(".py")] for path in COMPILED] + [SHARED_LIBRARY.replace(".", "/") + "__mypyc"]
    for stem in stems:
        for suffix in EXTENSION_SUFFIXES:
            Path(stem + suffix).unlink(missing_ok=True)


if compile_model():
    from mypyc.build import mypycify

    ext_modules = mypycify(COMPILED, opt_level="3", group_name=SHARED_LIBRARY)
else:
    remove_compiled()
    ext_modules = []

setup(ext_modules=ext_modules)

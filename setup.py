"""Build: the model's modules compiled with mypyc, or plain Python where that cannot be done.

Everything else about the package is in pyproject.toml. The numbers are the same either way; only
the speed differs (docs/performance.md, "Compiled model (mypyc)"). Plain Python is built when
``CARECOORD_PURE_PYTHON=1`` is set, when there is no C compiler or no Python headers, and when
compiling fails: a build never fails for want of a compiler, and never leaves half a compiled model.
"""

import glob
import os
import shutil
import sys
import sysconfig
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

# The model (one replication of one arm; its package __init__ files stay Python) and the modules its
# event loop calls. All compiled or none: tests/unit/test_build_info.py checks the model's modules.
MODEL = sorted(p for p in glob.glob("carecoord/model/**/*.py", recursive=True) if not p.endswith("__init__.py"))
COMPILED = [
    *MODEL,
    "carecoord/bisection.py",
    "carecoord/calendar.py",
    "carecoord/daycycle.py",
    "carecoord/locations.py",
    "carecoord/mortality.py",
    "carecoord/rates.py",
    "carecoord/recording.py",
    "carecoord/streams.py",
    "carecoord/vectors.py",
]
SHARED_LIBRARY = "carecoord.native"
"""mypyc's group name: its shared library is carecoord/native__mypyc.*.so, inside the package."""


def _say(message: str) -> None:
    print(f"carecoord build: {message}", file=sys.stderr)


PURE = ("1", "true", "yes")
COMPILE = ("", "0", "false", "no")


def why_plain() -> str | None:
    """Why this build is plain Python (None: compile the model); a value of the variable it does not know stops it."""
    value = os.environ.get("CARECOORD_PURE_PYTHON", "").strip().lower()
    if value not in PURE + COMPILE:
        sys.exit(
            f"carecoord build: CARECOORD_PURE_PYTHON={value!r} is not understood; allowed: "
            f"{', '.join(PURE)} (plain Python) or {', '.join(v for v in COMPILE if v)} or unset (compile the model)"
        )
    if value in PURE:
        return "CARECOORD_PURE_PYTHON is set"
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler}) on PATH"
    if not Path(sysconfig.get_paths()["include"], "Python.h").exists():
        return "no Python headers (Python.h)"
    return None


def remove_compiled() -> None:
    """An editable install builds extensions next to the sources, and Python imports an extension
    before a .py file: a plain build removes those an earlier compiled build left there."""
    stems = [path[: -len(".py")] for path in COMPILED] + [SHARED_LIBRARY.replace(".", "/") + "__mypyc"]
    for stem in stems:
        for suffix in EXTENSION_SUFFIXES:
            Path(stem + suffix).unlink(missing_ok=True)


class BuildModel(build_ext):
    """Compile the model; if that fails, remove every part built and leave the plain Python model."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # a compiler's failure has many types (CompileError, OSError...)
            for output in self.get_outputs():  # in place (editable) or in the wheel's build folder
                Path(output).unlink(missing_ok=True)
            remove_compiled()
            _say(f"compiling the model failed ({error}); it runs as plain Python (same numbers, slower)")


reason = why_plain()
if reason is None:
    from mypyc.build import mypycify

    ext_modules = mypycify(COMPILED, opt_level="3", group_name=SHARED_LIBRARY)
else:
    _say(f"the model is plain Python: {reason} (same numbers, slower)")
    remove_compiled()
    ext_modules = []

setup(ext_modules=ext_modules, cmdclass={"build_ext": BuildModel})

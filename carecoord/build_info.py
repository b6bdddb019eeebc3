"""Whether this install runs the model compiled (mypyc) or as plain Python.

``pip install -e .`` compiles the model's modules with mypyc (setup.py) unless
``CARECOORD_PURE_PYTHON=1`` was set, or there was no C compiler, or compiling failed; the numbers
are the same either way, only the speed differs (docs/performance.md, "Compiled model (mypyc)").
Run manifests and ``carecoord bench --json`` say which build ran, so that timings can be read
correctly. Nothing here imports the model.
"""

from __future__ import annotations

import importlib.util
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

PROBE = "carecoord.model.clock"
"""A compiled module of the model: setup.py compiles all of them or none."""


def is_compiled(module: str) -> bool:
    """True if ``module`` would be imported from a compiled extension rather than its ``.py`` file."""
    spec = importlib.util.find_spec(module)
    origin = spec.origin if spec is not None else None
    return origin is not None and origin.endswith(tuple(EXTENSION_SUFFIXES))


def model_compiled() -> bool:
    """True if the model runs compiled (mypyc), False if it runs as plain Python."""
    return is_compiled(PROBE)


def stale_compiled(package: Path) -> list[Path]:
    """Compiled modules under ``package`` older than their ``.py`` file: Python imports the compiled one.

    An editable install builds the extensions next to the sources; after a module is edited (or a
    checkout or merge changes it) the old compiled code still runs until ``pip install -e .`` again.
    """
    # mypyc puts the compiled code in one shared library (``*__mypyc``) and a small extension per module
    # that a rebuild may leave as it was: a module was compiled when the newer of the two was built.
    libraries = [lib.stat().st_mtime for suffix in EXTENSION_SUFFIXES for lib in package.rglob(f"*__mypyc{suffix}")]
    library_built = max(libraries, default=0.0)
    stale = []
    for suffix in EXTENSION_SUFFIXES:
        for compiled in package.rglob(f"*{suffix}"):
            source = compiled.with_name(compiled.name[: -len(suffix)] + ".py")
            if source.exists() and source.stat().st_mtime > max(compiled.stat().st_mtime, library_built):
                stale.append(source)
    return sorted(stale)


def stale_warning(package: Path | None = None) -> str | None:
    """A warning for the command line when a source checkout runs compiled code older than its source.

    Only in a source checkout (an editable install, where ``pyproject.toml`` sits beside the package):
    there an edited model module keeps running its old compiled code until ``pip install -e .``; an
    installed wheel's files are never edited, and their times say nothing.
    """
    package = package or Path(__file__).resolve().parent
    if not (package.parent / "pyproject.toml").exists():
        return None
    stale = stale_compiled(package)
    if not stale:
        return None
    names = ", ".join(str(path.relative_to(package.parent)) for path in stale[:3]) + (", ..." if len(stale) > 3 else "")
    return (
        f"warning: the compiled model is older than {names}: the old code runs until you rebuild it "
        "with `pip install -e .` (or build plain Python: CARECOORD_PURE_PYTHON=1 pip install -e .)"
    )


__all__ = ["PROBE", "is_compiled", "model_compiled", "stale_compiled", "stale_warning"]

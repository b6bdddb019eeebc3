"""The build reports what it is: compiled (mypyc) or plain Python, all of the model or none of it."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import carecoord
from carecoord.build_info import PROBE, is_compiled, model_compiled, stale_compiled, stale_warning

PACKAGE = Path(next(iter(carecoord.__path__)))  # a namespace package: no __init__.py


def _model_modules() -> list[str]:
    """Every module setup.py compiles from the model package (its __init__ files stay Python)."""
    root = PACKAGE.parent
    return sorted(
        ".".join(p.relative_to(root).with_suffix("").parts)
        for p in (PACKAGE / "model").rglob("*.py")
        if p.name != "__init__.py"
    )


def test_reported_flag_matches_the_imported_module() -> None:
    """``model_compiled`` (read without importing) agrees with the file the probe module is loaded from."""
    module = importlib.import_module(PROBE)
    assert model_compiled() == str(module.__file__).endswith(tuple(EXTENSION_SUFFIXES))


def test_all_of_the_model_or_none_of_it() -> None:
    """A build compiles every model module or none (CARECOORD_PURE_PYTHON=1): no half-compiled model."""
    modules = _model_modules()
    assert len(modules) > 30  # the listing found the model
    mixed = [name for name in modules if is_compiled(name) != model_compiled()]
    assert mixed == []


def test_compiled_modules_are_not_older_than_their_sources() -> None:
    """A compiled module older than its .py would run the old code: rebuild with ``pip install -e .``."""
    assert stale_compiled(PACKAGE) == []


def test_stale_compiled_finds_an_edited_source(tmp_path: Path) -> None:
    """The staleness check itself: a source touched after its extension is reported, an older one not."""
    suffix = EXTENSION_SUFFIXES[0]
    (tmp_path / f"fresh{suffix}").write_bytes(b"")
    (tmp_path / "fresh.py").write_text("")
    (tmp_path / "edited.py").write_text("")
    (tmp_path / f"edited{suffix}").write_bytes(b"")
    os.utime(tmp_path / "fresh.py", (1_000_000, 1_000_000))
    os.utime(tmp_path / f"fresh{suffix}", (2_000_000, 2_000_000))
    os.utime(tmp_path / f"edited{suffix}", (1_000_000, 1_000_000))
    os.utime(tmp_path / "edited.py", (2_000_000, 2_000_000))
    assert stale_compiled(tmp_path) == [tmp_path / "edited.py"]


def test_the_command_line_warns_of_stale_compiled_code_in_a_checkout_only(tmp_path: Path) -> None:
    """In a source checkout an edited, not rebuilt module is named; outside one (a wheel) nothing is said."""
    package = tmp_path / "pkg"
    package.mkdir()
    suffix = EXTENSION_SUFFIXES[0]
    (package / f"edited{suffix}").write_bytes(b"")
    (package / "edited.py").write_text("")
    os.utime(package / f"edited{suffix}", (1_000_000, 1_000_000))
    os.utime(package / "edited.py", (2_000_000, 2_000_000))
    assert stale_warning(package) is None  # no pyproject.toml beside the package: an installed copy
    (tmp_path / "pyproject.toml").write_text("")
    warning = stale_warning(package)
    assert warning is not None and "pkg/edited.py" in warning and "pip install -e ." in warning
    os.utime(package / f"edited{suffix}", (3_000_000, 3_000_000))  # rebuilt
    assert stale_warning(package) is None


def test_the_build_refuses_a_value_of_the_pure_python_flag_it_does_not_know() -> None:
    """``CARECOORD_PURE_PYTHON=maybe`` stops the build with a message naming the variable and what is allowed
    (setup.py exits before it builds or removes anything)."""
    root = PACKAGE.parent
    env = {**os.environ, "CARECOORD_PURE_PYTHON": "maybe"}
    done = subprocess.run(
        [sys.executable, "setup.py", "--version"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "CARECOORD_PURE_PYTHON='maybe'" in done.stderr and "allowed: 1, true, yes" in done.stderr

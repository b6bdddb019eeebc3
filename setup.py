"""Build: compiles the model's hot modules with mypyc unless CARECOORD_PURE_PYTHON=1.

Everything else about the package is in pyproject.toml. See docs/performance.md, "Compiled model (mypyc)".
"""

import glob
import os

from setuptools import setup

# The model (one replication of one arm; its package __init__ files stay Python) and the modules its
# event loop calls.
MODEL = sorted(p for p in glob.glob("carecoord/model/**/*.py", recursive=True) if not p.endswith("__init__.py"))
COMPILED = MODEL + [
    "carecoord/calendar.py",
    "carecoord/daycycle.py",
    "carecoord/locations.py",
    "carecoord/rates.py",
    "carecoord/recording.py",
    "carecoord/streams.py",
]

ext_modules = []
if os.environ.get("CARECOORD_PURE_PYTHON", "") not in ("1", "true", "yes"):
    from mypyc.build import mypycify

    ext_modules = mypycify(COMPILED, opt_level="3", group_name="carecoord.native")

setup(ext_modules=ext_modules)

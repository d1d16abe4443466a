"""Build: the hot path (read → map → write) compiled to C with mypyc, when it can be.

The compiled modules are the same Python source: without a C compiler, or with
KG_PURE_PYTHON=1, kg installs and runs as plain Python, only slower (see README,
"Performance"). `kg --version` tells which one is installed.
"""

from __future__ import annotations

import os

from setuptools import Extension, setup

# Keep in step with kg.COMPILED.
HOT_PATH = [
    "kg/fastcheck.py",
    "kg/hashset.py",
    "kg/iris.py",
    "kg/mapping/__init__.py",
    "kg/mapping/codes.py",
    "kg/mapping/dates.py",
    "kg/mapping/fields.py",
    "kg/mapping/file.py",
    "kg/mapping/funding.py",
    "kg/mapping/model.py",
    "kg/mapping/organization.py",
    "kg/mapping/person.py",
    "kg/mapping/publication.py",
    "kg/mapping/relation.py",
    "kg/mapping/venue.py",
    "kg/pipeline.py",
    "kg/rdf.py",
    "kg/read.py",
    "kg/vocab.py",
    "kg/write.py",
]


def extensions() -> list:
    if os.environ.get("KG_PURE_PYTHON"):
        return []
    from mypyc.build import mypycify

    # Type errors in the compiled modules fail the build: mypyc enforces the annotations at run time.
    modules = mypycify(["--follow-imports=silent", "--ignore-missing-imports", *HOT_PATH], opt_level="3")
    # Keep in step with kg.NATIVE: C written for kg, where Python has no quick equivalent.
    modules.append(Extension("kg._text", ["kg/_text.c"]))
    for module in modules:
        module.optional = True  # no C compiler: kg stays pure Python
    return modules


setup(ext_modules=extensions())

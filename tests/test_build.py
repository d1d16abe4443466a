"""The build: the hot path compiled with mypyc, and the compiled kg equal to the plain Python one."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPORA, ROOT, SEEDS

import kg
from kg.generate import write_corpus


def setup_hot_path() -> list[str]:
    """HOT_PATH as setup.py lists it."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "HOT_PATH" for t in node.targets):
            return [element.value for element in node.value.elts]  # type: ignore[attr-defined]
    raise AssertionError("setup.py has no HOT_PATH")


def test_setup_compiles_the_modules_kg_names_as_its_hot_path():
    as_modules = [path.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for path in setup_hot_path()]
    assert as_modules == list(kg.HOT_PATH)


def test_setup_builds_the_c_modules_kg_names():
    source = (ROOT / "setup.py").read_text()
    for name in kg.NATIVE:
        path = name.replace(".", "/") + ".c"
        assert f'Extension("{name}", ["{path}"])' in source and (ROOT / path).is_file()


def test_the_hot_path_is_compiled_whole_or_not_at_all():
    compiled = kg.compiled_modules()
    whole = list(kg.HOT_PATH + kg.NATIVE)
    assert compiled in ([], whole), f"a partial build: only {compiled} are compiled"
    if os.environ.get("KG_EXPECT_COMPILED"):  # set by .ci/run: a silent fallback to plain Python is a failure there
        assert compiled == whole
    assert ("compiled" in kg.build()) == bool(compiled)


def plain_python_copy(target: Path) -> Path:
    """The kg package as source only (no compiled modules), importable from *target*."""
    shutil.copytree(ROOT / "kg", target / "kg", ignore=shutil.ignore_patterns("*.so", "*.pyd", "*.c", "__pycache__"))
    # The C modules, absent, would be found in this checkout by the editable install's finder.
    for name in kg.NATIVE:
        stand_in = target / (name.replace(".", "/") + ".py")
        stand_in.write_text(f"raise ImportError('{name} is not built (a copy of kg as plain Python)')\n")
    return target


def run(pythonpath: Path, *args: str) -> subprocess.CompletedProcess:
    # From outside the checkout: `python -m` puts the working directory first on sys.path.
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        capture_output=True,
        env=dict(os.environ, PYTHONPATH=str(pythonpath)),
        cwd=pythonpath.parent,
        timeout=300,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("generated") / "corpus.jsonl"
    write_corpus(3000, str(path), 5)
    return path


@pytest.mark.parametrize(
    "options",
    [
        ["-f", "nt"],
        ["-f", "nq"],
        ["-f", "ttl"],
        ["-f", "jsonld"],
        ["-f", "nt", "--jobs", "2"],
        ["-f", "nt", "--validate"],
    ],
    ids=["nt", "nq", "ttl", "jsonld", "nt-jobs2", "nt-validate"],
)
def test_compiled_and_plain_python_give_the_same_output(tmp_path, generated, options):
    plain = plain_python_copy(tmp_path / "plain")
    inputs = [str(SEEDS), *map(str, sorted(CORPORA.glob("*.json"))), str(generated)]
    outputs = {}
    for name, pythonpath in (("built", ROOT), ("plain", plain)):
        out, rejects = tmp_path / f"{name}.out", tmp_path / f"{name}.rejects"
        done = run(pythonpath, "convert", *inputs, "-o", "-", "--rejects", str(rejects), *options)
        assert done.returncode == 1, done.stderr.decode()  # the corpora hold records that are rejected on purpose
        out.write_bytes(done.stdout)
        warnings = [line for line in done.stderr.decode().splitlines() if not line.startswith("read ")]
        outputs[name] = (done.stdout, rejects.read_text(), warnings)
    assert len(outputs["built"][0]) > 100_000
    assert outputs["built"] == outputs["plain"]
    assert "pure Python" in run(plain, "--version").stdout.decode()


def _hand_written_constructors() -> list[tuple[type, tuple]]:
    """The classes, each with values for all its fields (compiled classes check their types)."""
    from kg.mapping.model import Problem, RecordGraph
    from kg.mapping.person import Person
    from kg.pipeline import Mapped, _Partial
    from kg.rdf import IRI, literal
    from kg.read import Item
    from kg.write import Formatted, Prepared, RecordStats

    iri = IRI("https://repo.example.org/record/1")
    triple = (iri, IRI("http://purl.org/dc/terms/title"), literal("T"))
    graph = RecordGraph("1", iri, [triple], [(triple,)], [Problem("1", "f", "r")], [("o", iri, "n")], ["x"], "2020")
    stats = RecordStats(1, 2, 3, ["c"], {"p"}, 4, ["s"], ["e"], ["k"])
    formatted = Formatted(7, ("piece",), ("s",), (None,), frozenset({"p"}))
    item = Item("in.json", "line 1", {"_id": "1"}, "error", b"{}")
    return [
        (RecordGraph, ("1", iri, [triple], [(triple,)], [Problem("1", "f", "r")], [("o", iri, "n")], ["x"], "2020")),
        (Person, (iri, "person-x", ((iri, literal("N")),), (triple,), ("o", iri, "n"))),
        (Mapped, (graph, b"{}", "prepared", "in.json", "line 1")),
        (_Partial, (item, graph, {"_id": "1"}, ([], []), "prepared")),
        (Item, ("in.json", "line 1", {"_id": "1"}, "error", b"{}")),
        (Formatted, (7, ("piece",), ("s",), (None,), frozenset({"p"}))),
        (Prepared, ("block", 3, ("own",), (formatted, 7), stats, 1)),
        (RecordStats, (1, 2, 3, ["c"], {"p"}, 4, ["s"], ["e"], ["k"])),
    ]


@pytest.mark.parametrize("cls, values", _hand_written_constructors(), ids=lambda x: getattr(x, "__name__", ""))
def test_hand_written_constructors_take_the_dataclass_fields_with_their_defaults(cls, values):
    """The hot path's record classes write their __init__ out (compiled, it runs natively): it must
    be the one @dataclass would make, the fields in order, by position or by name, with their defaults."""
    import dataclasses

    fields = [f for f in dataclasses.fields(cls) if f.init]
    assert len(values) == len(fields)
    for f in dataclasses.fields(cls):
        if not f.init:  # set by __init__ to its default, as @dataclass would
            assert getattr(cls(*values), f.name) == f.default, f.name
    by_position = cls(*values)
    by_name = cls(**{f.name: value for f, value in zip(fields, values, strict=True)})
    for made in (by_position, by_name):
        assert [getattr(made, f.name) for f in fields] == list(values)
    required = [f for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    fewest = cls(*values[: len(required)])
    for f in fields[len(required) :]:
        expected = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        assert getattr(fewest, f.name) == expected, f.name

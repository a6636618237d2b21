"""The repository explains itself: `.env.example` lists exactly what the settings read,
and code, tests and the served API schema cite the repository's docs/, nothing outside."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(settings.BASE_DIR)
# What reads the environment: the settings package (and kernel modules that read it with
# Env) and gunicorn's configuration.
ENV_READERS = [*sorted((ROOT / "cigarspace").rglob("*.py")), ROOT / "gunicorn.conf.py"]
ENV_METHODS = {"str", "bool", "int", "float", "list", "path", "choice", "database_url", "get"}
SOURCE_DIRS = (
    *("accounts", "bench", "catalogue", "cigarspace", "customs", "demo", "docs"),
    *("matching", "media", "merchants", "scripts", "static", "templates", "tests"),
)
OUTSIDE_CITATION = re.compile(r"SPEC §|\bSPEC:|reference/[\w-]+\.md|/work/shared")


def _is_env_reader(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "env"
    if isinstance(node, ast.Call):  # Env().int(...)
        return getattr(node.func, "id", None) == "Env"
    # os.environ.get(...)
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def variables_read(paths: list[Path]) -> set[str]:
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ENV_METHODS
                and _is_env_reader(node.func.value)
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
    return names


def variables_listed(text: str) -> set[str]:
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def test_env_example_lists_every_variable_the_settings_read_and_no_other():
    read = variables_read(ENV_READERS)
    listed = variables_listed((ROOT / ".env.example").read_text())
    assert {"SECRET_KEY", "DATABASE_URL", "WEB_CONCURRENCY"} <= read  # the scan sees them
    assert sorted(read - listed) == [], "add these to .env.example"
    assert sorted(listed - read) == [], "no setting reads these: remove them"


def test_the_scan_sees_every_way_of_reading(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "A = env.int('ONE', default=1)\nB = Env().str('TWO')\nC = os.environ.get('THREE')\n"
        "D = other.get('NOT_ENV')\n"
    )
    assert variables_read([probe]) == {"ONE", "TWO", "THREE"}


def _source_files():
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".md", ".html", ".js", ".txt"}:
                yield path
    yield from (ROOT / name for name in ("README.md", "pyproject.toml", "Makefile"))


def test_nothing_cites_documents_outside_the_repository():
    this_file = Path(__file__)
    citing = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _source_files()
        if path != this_file
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if OUTSIDE_CITATION.search(line)
    ]
    assert citing == []


def test_every_docs_page_the_code_cites_exists():
    cited = set()
    for path in _source_files():
        cited.update(re.findall(r"\bdocs/([\w-]+\.md)", path.read_text(errors="replace")))
    assert cited, "the code cites its docs"
    assert sorted(name for name in cited if not (ROOT / "docs" / name).exists()) == []


@pytest.mark.django_db
def test_the_served_schema_cites_no_outside_document():
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "docs/api.md" in schema
    assert OUTSIDE_CITATION.search(schema) is None

"""The dependency direction of docs/architecture.md, enforced on the source.

The rules come from the table in that document (one row per app: which apps it may
import); every module of every app is parsed with ``ast`` (imports inside functions
count too: a deferred import is still a dependency). Only the kernel's URL and settings
modules may name apps.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
RULES_DOC = ROOT / "docs" / "architecture.md"
KERNEL = "cigarspace"
# The kernel's wiring: URL includes and settings strings name apps by design.
KERNEL_WIRING = ("cigarspace/urls.py", "cigarspace/settings/", "cigarspace/settings_test.py")


def documented_rules() -> dict[str, set[str]]:
    """``{app: apps it may import}`` from the table between the dependency-rules markers."""
    text = RULES_DOC.read_text()
    block = text.split("<!-- dependency-rules", 1)[1].split("<!-- /dependency-rules -->", 1)[0]
    rules: dict[str, set[str]] = {}
    for line in block.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        app = cells[0].strip("`")
        rules[app] = set(re.findall(r"`([a-z_]+)`", cells[1]))
    return rules


def project_apps() -> list[str]:
    """Every first-party app: a top-level package with an ``apps.py``."""
    return sorted(path.parent.name for path in ROOT.glob("*/apps.py"))


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, root: Path) -> set[str]:
    """Absolute names of everything the file imports, anywhere in it."""
    tree = ast.parse(path.read_text(), filename=str(path))
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                found.add(".".join([*base, *([node.module] if node.module else [])]))
            elif node.module:
                found.add(node.module)
    return found


def violations(app: str, allowed: set[str], apps: list[str], root: Path = ROOT) -> list[str]:
    forbidden = set(apps) - allowed - {app}
    found = []
    for path in sorted((root / app).rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(KERNEL_WIRING):
            continue
        for module in sorted(imported_modules(path, root)):
            if module.split(".")[0] in forbidden:
                found.append(f"{relative} imports {module}")
    return found


def test_the_rules_table_covers_every_app():
    rules, apps = documented_rules(), project_apps()
    assert set(rules) == set(apps), (
        "docs/architecture.md must give every app a row (and no row to a missing app): "
        f"missing {sorted(set(apps) - set(rules))}, extra {sorted(set(rules) - set(apps))}"
    )
    assert rules[KERNEL] == set(), "the kernel may import no app"
    for app, allowed in rules.items():
        assert allowed <= set(apps), f"{app}'s row names an unknown app: {allowed - set(apps)}"


@pytest.mark.parametrize("app", project_apps())
def test_each_app_imports_only_what_the_rules_allow(app):
    rules = documented_rules()
    assert violations(app, rules[app], project_apps()) == []


def test_the_check_finds_a_forbidden_import(tmp_path):
    """The parser sees plain, from-, relative and deferred imports (the test can fail)."""
    (tmp_path / "catalogue").mkdir()
    probe = tmp_path / "catalogue" / "probe.py"
    probe.write_text(
        "import customs.models\n"
        "from matching import services\n"
        "from .sibling import thing\n"
        "def later():\n"
        "    from merchants.models import Merchant\n"
    )
    assert imported_modules(probe, tmp_path) == {
        "customs.models",
        "matching",
        "catalogue.sibling",
        "merchants.models",
    }
    apps = ["catalogue", "customs", "matching", "merchants"]
    assert violations("catalogue", {"media"}, apps, tmp_path) == [
        "catalogue/probe.py imports customs.models",
        "catalogue/probe.py imports matching",
        "catalogue/probe.py imports merchants.models",
    ]


# --- no import circle between modules -------------------------------------------------------


def _module_level_imports(path: Path, root: Path, known: set[str]) -> set[str]:
    """What importing the module imports at once: top-level statements, not those under
    ``if TYPE_CHECKING:`` nor inside functions. ``from pkg import sub`` counts as
    ``pkg.sub`` when ``sub`` is a module."""
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):
                test = node.test
                if getattr(test, "id", None) == "TYPE_CHECKING" or (
                    getattr(test, "attr", None) == "TYPE_CHECKING"
                ):
                    visit(node.orelse)
                    continue
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.finalbody)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    base = parts[: len(parts) - (node.level - 1)]
                    module = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                for alias in node.names:
                    child = f"{module}.{alias.name}"
                    found.add(child if child in known else module)

    visit(ast.parse(path.read_text(), filename=str(path)).body)
    return found & known


def import_cycles(root: Path, apps: list[str]) -> list[list[str]]:
    files = {_module_name(p, root): p for app in apps for p in (root / app).rglob("*.py")}
    known = set(files)
    graph = {name: _module_level_imports(path, root, known) for name, path in files.items()}
    # Tarjan's strongly connected components; a component of two or more is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return cycles


def test_no_module_level_import_circle():
    assert import_cycles(ROOT, project_apps()) == []


def test_the_circle_check_finds_a_circle(tmp_path):
    app = tmp_path / "shop"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "runs.py").write_text("from shop.writes import write\n")
    (app / "writes.py").write_text(
        "from typing import TYPE_CHECKING\nfrom shop import runs\nif TYPE_CHECKING:\n"
        "    from shop.other import x\n"
    )
    (app / "other.py").write_text("def later():\n    from shop import writes\n")
    assert import_cycles(tmp_path, ["shop"]) == [["shop.runs", "shop.writes"]]


def test_the_demo_is_an_app_and_the_kernel_holds_no_demo():
    assert not (ROOT / "cigarspace" / "demo.py").exists()
    assert "demo" in settings.INSTALLED_APPS
    commands = {p.stem for p in (ROOT / "demo" / "management" / "commands").glob("demo_*.py")}
    assert commands == {"demo_setup", "demo_serve"}

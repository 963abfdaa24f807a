"""The import and write rules of DESIGN.md §1, for what `lint-imports` cannot see.

An app may read another app's models (querysets, annotations, row locks), but changes them only by
calling that app's services. This test reads every module of every app (tests and migrations aside)
and refuses a write through another app's model manager: `Model.objects...create/update/delete/...`
where `Model` was imported from another app's `models`.
"""

import ast
from pathlib import Path

from django.conf import settings

APPS = ("accounts", "events", "tickets", "payments", "payouts", "analytics")
WRITES = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "bulk_update", "delete"}
# Demo data is built the way test fixtures build it: rows of every app, straight in the database.
EXEMPT = {"events/management/commands/seed_demo.py"}


def _app_modules():
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            if str(path.relative_to(settings.BASE_DIR)) in EXEMPT:
                continue
            yield app, path


def _foreign_models(app: str, tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models"):
            owner = node.module.split(".")[0]
            if owner in APPS and owner != app:
                names.update(alias.asname or alias.name for alias in node.names)
    return names


def _root_name(node) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _writes_through_foreign_managers(app: str, path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    foreign = _foreign_models(app, tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES):
            continue
        if "objects" in ast.unparse(node.func.value) and _root_name(node.func) in foreign:
            found.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}: {ast.unparse(node.func)}")
    return found


def test_no_app_writes_another_apps_models():
    offences = [offence for app, path in _app_modules() for offence in _writes_through_foreign_managers(app, path)]
    assert offences == []

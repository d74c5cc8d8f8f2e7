"""The apps' imports form a ladder: a module imports only from its own rank and below.

core < places < accounts < people < shared mechanisms (alerts) < domain apps < reports, portal,
demo, scale; the project's wiring (settings, urls, api, celery, wsgi, asgi) sits above them all. Domain
apps may import each other. Every import counts, at the top of a module or inside a function.
By design, any views or API module may import the access layer `tongzhou.accounts.access`.
Tests and migrations are not checked.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # tongzhou/
DOMAIN = ("volunteers", "checkpoints", "monitoring", "assistance", "testing", "supplies", "welfare", "notices")
RANKS = {
    "core": 0,
    "places": 1,
    "accounts": 2,
    "people": 3,
    "alerts": 4,
    **dict.fromkeys(DOMAIN, 5),
    "reports": 6,
    "portal": 6,
    "demo": 6,
    "scale": 6,
}
WIRING = ("__init__", "settings", "settings_test", "urls", "api", "celery", "wsgi", "asgi")
TOP = max(RANKS.values()) + 1
ACCESS_LAYER = "tongzhou.accounts.access"
EXEMPT_DIRS = ("tests", "migrations")


def rank_of(dotted: str) -> tuple[str, int] | None:
    """The unit (app or wiring module) a dotted name belongs to, with its rank; None outside the
    project. A unit the ladder does not know yet gets rank -1, so that any import of it fails."""
    parts = dotted.split(".")
    if parts[0] != "tongzhou":
        return None
    if len(parts) == 1 or parts[1] in WIRING:
        return ("tongzhou" if len(parts) == 1 else parts[1], TOP)
    return parts[1], RANKS.get(parts[1], -1)


def may_use_access_layer(module: str) -> bool:
    return any(part in ("views", "api") for part in module.split(".")[2:])


def imported_names(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every (line, dotted name) imported anywhere in the module, relative imports resolved."""
    found = []
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            for alias in node.names:
                # `from tongzhou.accounts import access` names the module tongzhou.accounts.access.
                found.append((node.lineno, f"{target}.{alias.name}" if target.count(".") < 2 else target))
    return found


def upward_imports(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """The imports of `module` (its source text) that go up the ladder, as readable lines."""
    own = rank_of(module)
    if own is None:
        return []
    unit, rank = own
    problems = []
    for line, name in imported_names(ast.parse(source), module, is_package):
        target = rank_of(name)
        if target is None or target[0] == unit:
            continue
        if (name == ACCESS_LAYER or name.startswith(ACCESS_LAYER + ".")) and may_use_access_layer(module):
            continue
        if target[1] == -1:
            problems.append(f"{module} line {line}: imports {name}, but {target[0]} has no rank on the ladder")
        elif target[1] > rank:
            problems.append(
                f"{module} line {line}: imports {name} ({target[0]}, rank {target[1]}) above {unit} (rank {rank})"
            )
    return problems


def project_modules() -> list[tuple[str, Path]]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent)
        if any(part in EXEMPT_DIRS for part in relative.parts[:-1]):
            continue
        parts = list(relative.with_suffix("").parts)
        modules.append((".".join(parts), path))
    return modules


def test_the_checker_sees_the_whole_project():
    names = {name for name, _path in project_modules()}
    assert {"tongzhou.core.models", "tongzhou.places.views", "tongzhou.urls", "tongzhou.demo"} <= names
    assert not any(".tests." in name or ".migrations." in name for name in names)
    assert all(rank_of(name) is not None and rank_of(name)[1] >= 0 for name in names), "an app without a rank"


def test_no_module_imports_up_the_ladder():
    problems = []
    for module, path in project_modules():
        problems += upward_imports(path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py")
    assert not problems, "Upward imports:\n" + "\n".join(problems)


# The checker itself, on made-up modules.


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("tongzhou.places.services", "from tongzhou.accounts.models import User"),
        ("tongzhou.places.views", "from tongzhou.people.selectors import household_members"),
        ("tongzhou.people.views", "from tongzhou.monitoring.models import KeyPerson"),
        ("tongzhou.core.services", "def f():\n    from tongzhou.people import services\n    return services"),
        ("tongzhou.core.services", "import tongzhou.reports.selectors"),
        ("tongzhou.places.models", "from tongzhou.accounts import access"),
        ("tongzhou.monitoring.services", "from tongzhou.reports.selectors import figures"),
        ("tongzhou.checkpoints.selectors", "from tongzhou.portal import views"),
        ("tongzhou.people.services", "from tongzhou.alerts.services import alert_raise"),
        ("tongzhou.assistance.services", "from tongzhou.urls import urlpatterns"),
        ("tongzhou.places.selectors", "from tongzhou.unknown_app.models import Thing"),
        ("tongzhou.core.pdf", "from ..monitoring import notices"),
    ],
)
def test_the_checker_finds_an_upward_import(module, source):
    problems = upward_imports(source, module)
    assert len(problems) == 1
    assert problems[0].startswith(module)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("tongzhou.people.services", "from tongzhou.places.models import Place\nfrom tongzhou.core import audit"),
        ("tongzhou.monitoring.services", "from tongzhou.assistance.services import help_request_create"),
        ("tongzhou.checkpoints.documents", "from tongzhou.volunteers.models import Post"),
        ("tongzhou.places.views", "from tongzhou.accounts.access import ScopedRequest, require_perm"),
        ("tongzhou.places.api", "from tongzhou.accounts import access"),
        ("tongzhou.checkpoints.views.gates", "from tongzhou.accounts.access import require_perm"),
        ("tongzhou.volunteers.services", "from tongzhou.alerts.services import alert_raise"),
        ("tongzhou.portal.views", "from tongzhou.monitoring.services import check_record"),
        ("tongzhou.demo", "def f():\n    from tongzhou.checkpoints.models import Gate"),
        ("tongzhou.urls", "from tongzhou.api import api\nfrom tongzhou.reports import views"),
        ("tongzhou.people.selectors", "from . import models\nfrom .models import Person\nimport django.db"),
    ],
)
def test_the_checker_lets_these_pass(module, source):
    assert upward_imports(source, module) == []


def test_only_views_and_api_may_use_the_access_layer_upward():
    assert upward_imports("from tongzhou.accounts.access import require", "tongzhou.places.services")
    assert upward_imports("from tongzhou.accounts.selectors import scope_for", "tongzhou.places.views")

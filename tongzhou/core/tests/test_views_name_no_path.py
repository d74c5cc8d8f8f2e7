"""Views and API endpoints never name a path field: where something lies is the selectors' business.

A page fetches one object through its app's `get_<thing>_for_user` accessor and a list through a
selector that takes the scope or the user. So a views, API or PWA module (and any module of a
`views/`, `api/` or `pwa/` package) names no path field: no "place_path", "order__place_path",
"place__path__startswith" or "-path" given to the ORM, no `path__gte=`-style lookup, no
`path_field=`, and it builds no subtree filter itself (`subtree_q(...)`, `scope.q(...)`).
URL paths ("/x/"), `request.path`, template names and words shown to people are not field names
and are not flagged. Tests and migrations are not checked.
"""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # tongzhou/
VIEW_MODULES = ("views", "api", "pwa")
EXEMPT_DIRS = ("tests", "migrations")

# A field name or lookup: lower-case words joined by "_" and "__", optionally "-" for descending.
FIELD_NAME = re.compile(r"-?[a-z][a-z0-9_]*")
# ORM calls whose keyword names are field names or lookups even without "__" (`filter(path=...)`).
LOOKUP_CALLS = frozenset(
    {
        "filter",
        "exclude",
        "get",
        "get_or_create",
        "update_or_create",
        "create",
        "update",
        "annotate",
        "alias",
        "aggregate",
        "Q",
        "get_object_or_404",
        "get_list_or_404",
    }
)
# Calls whose string arguments are dictionary keys, attribute names or words shown to people.
NOT_FIELD_CALLS = frozenset(
    {
        "get",
        "getlist",
        "pop",
        "setdefault",
        "getattr",
        "hasattr",
        "setattr",
        "_",
        "gettext",
        "gettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "ngettext",
    }
)


def is_view_module(relative: Path) -> bool:
    """`relative` is a path under tongzhou/: views.py, api.py, pwa.py, `*_views.py`, or any module
    of a views/, api/ or pwa/ package."""
    if any(part in EXEMPT_DIRS for part in relative.parts[:-1]):
        return False
    stem = relative.stem
    return stem in VIEW_MODULES or stem.endswith("_views") or any(part in VIEW_MODULES for part in relative.parts[:-1])


def view_modules() -> list[Path]:
    return [path for path in sorted(PACKAGE.rglob("*.py")) if is_view_module(path.relative_to(PACKAGE))]


def names_path_field(name: str) -> bool:
    """ "place_path", "order__place_path", "place__path__startswith", "-path": one of the parts is
    `path` or ends in `_path`. Not "paths", "filepath", "/x/path/" or "checkpoints/path.html"."""
    if not FIELD_NAME.fullmatch(name):
        return False
    return any(part == "path" or part.endswith("_path") for part in name.lstrip("-").split("__"))


def _called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def _strings(node: ast.expr) -> list[ast.Constant]:
    """String constants given as an argument, also inside a list, tuple or set literal or `*[...]`."""
    if isinstance(node, ast.Starred):
        node = node.value
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [item for element in node.elts for item in _strings(element)]
    return []


def _builds_scope_filter(call: ast.Call) -> bool:
    """`subtree_q(...)`, `scope.q(...)`, `request.scope.q(...)`: a subtree filter on a path field
    (named or the default one)."""
    func = call.func
    if _called_name(call) == "subtree_q":
        return True
    if isinstance(func, ast.Attribute) and func.attr == "q":
        owner = func.value
        return (isinstance(owner, ast.Name) and owner.id == "scope") or (
            isinstance(owner, ast.Attribute) and owner.attr == "scope"
        )
    return False


def path_field_uses(source: str) -> list[tuple[int, str]]:
    """Every (line, what) in `source` that names a path field or builds a subtree filter."""
    found: list[tuple[int, str]] = []
    for call in ast.walk(ast.parse(source)):
        if not isinstance(call, ast.Call):
            continue
        called = _called_name(call)
        if _builds_scope_filter(call):
            found.append((call.lineno, f"builds a subtree filter with {called}()"))
            continue
        values: list[ast.expr] = list(call.args)
        for keyword in call.keywords:
            if keyword.arg is None:  # **{"place_path__in": ...}
                if isinstance(keyword.value, ast.Dict):
                    for key in keyword.value.keys:
                        if isinstance(key, ast.Constant) and isinstance(key.value, str) and names_path_field(key.value):
                            found.append((key.lineno, f"looks up {key.value!r} in {called}()"))
                continue
            if keyword.arg == "path_field":
                found.append((keyword.value.lineno, f"passes path_field= to {called}()"))
                continue
            if names_path_field(keyword.arg) and ("__" in keyword.arg or called in LOOKUP_CALLS):
                found.append((keyword.value.lineno, f"looks up {keyword.arg}= in {called}()"))
            values.append(keyword.value)
        if called in NOT_FIELD_CALLS:
            continue
        for value in values:
            for string in _strings(value):
                if names_path_field(string.value):
                    found.append((string.lineno, f"names the field {string.value!r} in {called}()"))
    return sorted(set(found))


def test_the_checker_sees_every_view_module():
    modules = {str(path.relative_to(PACKAGE)) for path in view_modules()}
    assert {
        "api.py",
        "places/views.py",
        "places/api.py",
        "checkpoints/views.py",
        "checkpoints/pwa.py",
        "assistance/views.py",
        "portal/views.py",
        "accounts/audit_views.py",
    } <= modules
    assert not any("/tests/" in name or "/migrations/" in name for name in modules)


def test_no_view_or_endpoint_names_a_path_field():
    problems = [
        f"{path.relative_to(PACKAGE.parent)} line {line}: {what}"
        for path in view_modules()
        for line, what in path_field_uses(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "Move these into a selector of the app:\n" + "\n".join(problems)


# The checker itself, on made-up snippets.


@pytest.mark.parametrize(
    "source",
    [
        'Pass.objects.filter(subtree_q(place.path, "place_path"))',
        'rows = Person.objects.filter(request.scope.q("place_path"))',
        "rows = Place.objects.filter(request.scope.q(), kind=kind)",
        "rows = Place.objects.filter(scope.q())",
        'rows.order_by("place_path", "label")',
        'rows.order_by("-path")',
        'rows.values_list("code", "path")',
        'rows.select_related("x").filter(F("order__place_path"))',
        "Household.objects.filter(place__path__startswith=prefix)",
        "Order.objects.filter(order__place_path__gte=low)",
        "Place.objects.get(path=path)",
        "get_object_or_404(Place, path=path)",
        'Q(**{"place_path__in": paths})',
        'get_for_user(Gate.objects.all(), user=user, pk=pk, perm=perm, path_field="place_path")',
        'rows.order_by(*["shift__place_path"])',
        'rows.in_bulk(field_name="path")',
    ],
)
def test_the_checker_finds_a_path_field(source):
    assert len(path_field_uses(source)) == 1, path_field_uses(source)


@pytest.mark.parametrize(
    "source",
    [
        'redirect("/x/")',
        'url = reverse("places:detail", args=[place.pk])',
        'next_url = request.path\nif request.path.startswith("/api/"):\n    pass',
        'render(request, "checkpoints/path.html", {"place": place})',
        'render(request, "x.html", {"path": place.path, "place_path": gate.place_path})',
        'value = request.GET.get("path", "")\nform.cleaned_data["place_path"]',
        'getattr(obj, "place_path")',
        'for p in schema["paths"].values():\n    p.get("path")',
        'messages.success(request, _("path"))',
        "pii_reveal(actor=user, obj=person, place_path=person.place_path, request=request)",
        "audit_log(action=a, actor=user, obj=place, place_path=place.path)",
        "rows = passes_under(place)\nstreets = street_addresses(p.place_path for p in people)",
        'rows.order_by("name").values("filepath", "paths")',
        "get_gate_for_user(user=request.user, pk=pk, perm=Perm.GATE_SCAN)",
        "Scope.of([gate.place_path])",
    ],
)
def test_the_checker_lets_these_pass(source):
    assert path_field_uses(source) == []


def test_the_checker_reports_file_and_line():
    source = 'from x import y\n\n\ndef page(request):\n    return Pass.objects.order_by("place_path")\n'
    assert path_field_uses(source) == [(5, "names the field 'place_path' in order_by()")]
    assert is_view_module(Path("checkpoints/views/gates.py"))
    assert is_view_module(Path("accounts/audit_views.py"))
    assert not is_view_module(Path("checkpoints/selectors.py"))
    assert not is_view_module(Path("checkpoints/tests/test_views.py"))

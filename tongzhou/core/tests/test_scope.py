import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from tongzhou.core.scope import Scope, ancestor_paths, subtree_q
from tongzhou.places.models import Place

segment = st.text(alphabet="0123456789abcdef", min_size=1, max_size=4)
path = st.lists(segment, min_size=1, max_size=5).map(lambda parts: "/" + "/".join(parts) + "/")


@given(st.lists(path, max_size=12))
def test_scope_roots_cover_exactly_the_union_of_subtrees(paths):
    scope = Scope.of(paths)
    for candidate in paths:
        assert scope.contains(candidate)
    for root in scope.roots:
        assert not any(root != other and root.startswith(other) for other in scope.roots)


@given(path, path)
def test_range_is_the_same_as_startswith(ancestor, candidate):
    q = subtree_q(ancestor)
    lower, upper = q.children[0][1], q.children[1][1]
    assert (lower <= candidate < upper) == candidate.startswith(ancestor)


def test_ancestor_paths():
    assert ancestor_paths("/52/5201/520102/") == ["/52/", "/52/5201/", "/52/5201/520102/"]


def test_path_must_end_with_separator():
    with pytest.raises(ValueError, match="ends with"):
        subtree_q("/52")


def test_empty_scope_matches_nothing(demo):
    assert not Place.objects.filter(Scope.of([]).q()).exists()


def test_subtree_query_uses_the_path_index(demo):
    taian = demo.places["taian"]
    queryset = Place.objects.filter(subtree_q(taian.path))
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")  # a tiny table would be scanned anyway
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            assert "Index" in plan and "path" in plan, plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING INDEX" in plan and "path" in plan, plan
    names = set(queryset.values_list("name", flat=True))
    assert "泰安巷3号院" in names and "松花巷8号院" not in names

"""Junk ids are refused before any query: an id beyond every id column's range is an error on
PostgreSQL (DataError) and SQLite (OverflowError), "abc" or "1.5" a ValueError."""

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.http import Http404

from tongzhou.core.access import PK_MAX, id_or_404
from tongzhou.core.forms import IdChoiceField, IdMultipleChoiceField
from tongzhou.core.pagination import MAX_LIMIT, MAX_OFFSET, BoundedLimitOffset

JUNK = (
    "abc",
    "1.5",
    "1e5",
    "-1",
    "0",
    "",
    " ",
    "\x00",
    "٣",
    str(PK_MAX + 1),
    "9" * 30,
    -1,
    0,
    PK_MAX + 1,
    True,
    None,
    1.0,
)


@pytest.mark.parametrize("junk", JUNK)
def test_a_junk_id_is_a_404(junk):
    with pytest.raises(Http404):
        id_or_404(junk)


@pytest.mark.parametrize("good", ["1", " 42 ", 7, PK_MAX, str(PK_MAX)])
def test_an_id_is_an_int(good):
    assert id_or_404(good) == int(good)


class GroupForm(forms.Form):
    group = IdChoiceField(queryset=Group.objects.all())
    groups = IdMultipleChoiceField(queryset=Group.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize("junk", ["abc", "1.5", "-1", "9" * 30, str(PK_MAX + 1)])
def test_junk_ids_are_form_errors_before_any_query(junk, django_assert_num_queries):
    form = GroupForm({"group": junk, "groups": ["1", junk]})
    with django_assert_num_queries(0):
        assert not form.is_valid()
    assert set(form.errors) == {"group", "groups"}


def test_the_api_pagination_is_bounded():
    fields = BoundedLimitOffset.Input.model_fields
    assert [m.le for m in fields["limit"].metadata if hasattr(m, "le")] == [MAX_LIMIT]
    assert [m.le for m in fields["offset"].metadata if hasattr(m, "le")] == [MAX_OFFSET]

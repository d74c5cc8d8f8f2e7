"""PostgreSQL plans of the register search over a city's register (tongzhou.core.query_plans):
by the end of a phone, a whole phone, a document number, a name within a compound, and the plain
list of an area, each reads the register by index."""

from typing import Any

import pytest

from tongzhou.core.query_plans import assert_no_seq_scan, clone_rows
from tongzhou.core.scope import Scope
from tongzhou.core.services import audit_log
from tongzhou.people.audit import PeopleAudit
from tongzhou.people.models import Person
from tongzhou.people.selectors import person_history, register

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BIG = ("people_person",)


@pytest.fixture
def city(demo: Any) -> Any:
    """100,000 more residents, one in a thousand in the first compound."""
    clone_rows(
        "people_person",
        100_000,
        place_path="CASE WHEN g % 1000 = 0 THEN t.place_path ELSE '/99/' || (g % 5000) || '/' END",
        name="'居民' || chr(19968 + g % 20000) || chr(19968 + g / 20000) || g",
        phone_last4="lpad((g % 10000)::text, 4, '0')",
        phone_index="md5('p' || g)",
        id_index="md5('i' || g)",
    )
    return demo.places["taian_compound"]


def test_the_register_search_uses_indexes(demo: Any, city: Any) -> None:
    scope = Scope.of([city.path])
    for text in ("", "5678", "13812345678", "520102199001011234", "居民"):
        assert_no_seq_scan(lambda text=text: list(register(scope, text=text)[:50]), *BIG)


def test_a_district_wide_name_search_reads_the_names_that_can_match(demo: Any, city: Any) -> None:
    """Over the whole city a name's part is found by the characters' index (people 0006), not by
    walking the register in address order and testing every name; the answer is the LIKE's."""
    scope = Scope.of(["/"])
    wanted = Person.objects.get(name__endswith="12345")
    for text in (wanted.name[2:4], wanted.name):  # two characters; with the digits (maybe a room)
        plans = assert_no_seq_scan(lambda text=text: list(register(scope, text=text)[:50]), *BIG)
        used = {node.get("Index Name") for plan in plans for node in plan.nodes()}
        assert "person_name_grams" in used, "\n\n".join(p.sql + "\n" + p.text() for p in plans)
        assert wanted in register(scope, text=text)


def test_a_persons_history_reads_the_audit_log_by_index(demo: Any) -> None:
    """Who changed and who viewed a resident's record, from an audit log of 100,000 events over
    two years of months: by the object's index, not by reading every month."""
    person = Person.objects.filter(merged_into=None).first()
    audit_log(action=PeopleAudit.PERSON_VIEWED, actor=demo.street_admin, obj=person, purpose="核对")
    clone_rows(
        "core_auditevent",
        100_000,
        object_id="(g % 20000 + 100000)::text",
        created_at="now() - (g % 700) * interval '1 day'",
    )
    plans = assert_no_seq_scan(lambda: list(person_history(person)[:50]), "core_auditevent")
    used = {node.get("Index Name") or "" for plan in plans for node in plan.nodes()}
    assert any(name.startswith("audit_object_history") or "object_type_object_id" in name for name in used), used
    assert person_history(person)[0].purpose == "核对"

"""The pseudonym check: what in a story's title and text names a person of the register in the
story's place, or gives their phone number, ID number or room, with the replacement offered.

Names are found without reading the whole register: every run of two to four Chinese characters
of the text is a candidate, looked up in the scoped register (`place_path`, `name` index) in
batches. Phone and ID numbers are found by their shape and looked up by blind index; rooms by their
shape ("3栋2单元401", "401室") against the households of the place."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzhou.core.pii import blind_index_candidates, mask_phone, normalize
from tongzhou.core.scope import subtree_q
from tongzhou.monitoring.models import KeyPerson
from tongzhou.notices.models import NamingConsent
from tongzhou.people.models import Person
from tongzhou.places.models import Household, PlaceKind

BATCH = 500
SNIPPET = 12
CJK_RUN = re.compile(r"[\u4e00-\u9fff·]{2,}")
PHONE = re.compile(r"(?<![0-9])1[3-9][0-9][\s-]?[0-9]{4}[\s-]?[0-9]{4}(?![0-9])")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
ROOM = re.compile(
    r"(?:(?P<building>(?P<bno>[0-9]{1,3}|[A-Za-z])(?:栋|号楼|幢))(?P<unit>[0-9]{1,2}单元)?|(?P<only_unit>[0-9]{1,2}单元))"
    r"(?P<room>[0-9]{3,4})(?:室|号|房)?"
    r"|(?<![0-9])(?P<lone>[0-9]{3,4})(?:室|房)"
)


class FindingKind(models.TextChoices):
    KEY_PERSON = "key_person_name", _("Key person")
    NAME = "register_name", _("Name in the register")
    PHONE = "phone_number", _("Phone number")
    ID_NUMBER = "id_card_number", _("ID number")
    ROOM = "room_number", _("Room number")


NAME_KINDS = (FindingKind.KEY_PERSON, FindingKind.NAME)
ROOM_FALLBACK = "某户"


@dataclass(frozen=True)
class Finding:
    """One distinct matched text (every occurrence of it is replaced at once)."""

    kind: str
    text: str
    snippet: str
    count: int
    person_ids: tuple[int, ...]
    consented: bool
    replacement: str

    @property
    def resolved(self) -> bool:
        return self.consented

    @property
    def kind_label(self) -> str:
        return str(FindingKind(self.kind).label)


def name_pseudonym(name: str) -> str:
    """张三丰 -> 张*: the surname and one star (two characters for a compound surname)."""
    compound = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐", "尉迟", "长孙", "司徒", "夏侯")
    keep = 2 if name[:2] in compound and len(name) > 2 else 1
    return name[:keep] + "*"


def _candidates(text: str) -> set[str]:
    found: set[str] = set()
    for run in CJK_RUN.findall(text):
        for size in (2, 3, 4):
            found.update(run[i : i + size] for i in range(len(run) - size + 1))
    return found


def _batches(values: Iterable[str]) -> Iterable[list[str]]:
    values = sorted(values)
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


def _snippet(text: str, start: int, end: int) -> str:
    head = "…" if start > SNIPPET else ""
    tail = "…" if end + SNIPPET < len(text) else ""
    return head + text[max(0, start - SNIPPET) : end + SNIPPET] + tail


@dataclass
class _Hit:
    kind: str
    text: str
    start: int
    end: int
    replacement: str
    person_ids: set[int]


def _names(text: str, path: str) -> list[_Hit]:
    candidates = _candidates(text)
    people: dict[str, set[int]] = {}
    key: dict[str, set[int]] = {}
    for batch in _batches(candidates):
        for pk, name in Person.objects.filter(subtree_q(path, "place_path"), name__in=batch).values_list("pk", "name"):
            people.setdefault(name, set()).add(pk)
        for pk, name in KeyPerson.objects.filter(subtree_q(path, "place_path"), person__name__in=batch).values_list(
            "person_id", "person__name"
        ):
            key.setdefault(name, set()).add(pk)
    hits = []
    for name in set(people) | set(key):
        kind = FindingKind.KEY_PERSON if name in key else FindingKind.NAME
        ids = people.get(name, set()) | key.get(name, set())
        start = text.find(name)
        while start >= 0:
            hits.append(_Hit(kind, name, start, start + len(name), name_pseudonym(name), ids))
            start = text.find(name, start + 1)
    return hits


def _numbers(text: str, path: str) -> list[_Hit]:
    hits = []
    for match in PHONE.finditer(text):
        ids = set(
            Person.objects.filter(
                subtree_q(path, "place_path"), phone_index__in=blind_index_candidates(match.group())
            ).values_list("pk", flat=True)
        )
        hits.append(_Hit(FindingKind.PHONE, match.group(), match.start(), match.end(), mask_phone(match.group()), ids))
    for match in ID_NUMBER.finditer(text):
        ids = set(
            Person.objects.filter(
                subtree_q(path, "place_path"), id_index__in=blind_index_candidates(normalize(match.group()))
            ).values_list("pk", flat=True)
        )
        hits.append(_Hit(FindingKind.ID_NUMBER, match.group(), match.start(), match.end(), "", ids))
    return hits


def _rooms(text: str, path: str) -> list[_Hit]:
    """Rooms written with their building and unit match a household there ("3栋2单元401": room
    401 of unit 2 of a building named 3栋); a room written alone ("401室") matches any room 401."""
    matches = list(ROOM.finditer(text))
    numbers = {m.group("room") or m.group("lone") for m in matches}
    if not numbers:
        return []
    known: set[tuple[str, str, str]] = set()
    rows = Household.objects.filter(subtree_q(path, "place__path"), room__in=numbers).values_list(
        "room", "place__kind", "place__name", "place__parent__name"
    )
    for room, kind, name, parent in rows:
        known.add((parent, name, room) if kind == PlaceKind.UNIT else (name, "", room))
    hits = []
    for match in matches:
        room = match.group("room") or match.group("lone")
        building = f"{match.group('bno')}栋" if match.group("bno") else ""
        unit = match.group("unit") or match.group("only_unit") or ""
        if any(r == room and (not building or b == building) and (not unit or u == unit) for b, u, r in known):
            general = match.group("building") or ROOM_FALLBACK
            hits.append(_Hit(FindingKind.ROOM, match.group(), match.start(), match.end(), general, set()))
    return hits


def check_text(text: str, path: str) -> list[Finding]:
    """Every finding in `text` for the register of the subtree at `path`, in reading order: one
    per distinct text, names that lie inside a longer match dropped; a name finding is consented
    when one of the people it may be agreed to be named (and has not withdrawn)."""
    hits = _names(text, path) + _numbers(text, path) + _rooms(text, path)
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[_Hit] = []
    for hit in hits:
        if any(k.start <= hit.start and hit.end <= k.end and k is not hit for k in kept):
            continue
        kept.append(hit)
    grouped: dict[tuple[str, str], list[_Hit]] = {}
    for hit in kept:
        grouped.setdefault((hit.kind, hit.text), []).append(hit)
    named = {pk for (kind, _t), group in grouped.items() if kind in NAME_KINDS for pk in group[0].person_ids}
    agreed = set(
        NamingConsent.objects.filter(person_id__in=named, withdrawn_at__isnull=True).values_list("person_id", flat=True)
    )
    findings = []
    for (kind, matched), group in grouped.items():
        first = group[0]
        findings.append(
            Finding(
                kind=kind,
                text=matched,
                snippet=_snippet(text, first.start, first.end),
                count=len(group),
                person_ids=tuple(sorted(first.person_ids)),
                consented=kind in NAME_KINDS and bool(first.person_ids & agreed),
                replacement=first.replacement,
            )
        )
    return findings


def check_story(story: Any) -> list[Finding]:
    """The findings of a story's title and text, for the register of the story's place."""
    return check_text(f"{story.title}\n{story.body}", story.place_path)


def unresolved(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.resolved]

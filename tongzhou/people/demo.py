"""The demo's residents (called by `tongzhou.demo`): fake people (Faker zh_CN, fixed seed) in the
communities' rooms, with made-up ID numbers that pass the check digit."""

from collections.abc import Callable

from faker import Faker

from tongzhou.core.scope import subtree_q
from tongzhou.people.idnumbers import IdType, check_digit, id_card_facts
from tongzhou.people.importers import Checked, GoodRow, write_rows
from tongzhou.people.models import Person, ResidencyType, Tag
from tongzhou.places.models import Household, Place

RESIDENCY_WEIGHTS = (
    [ResidencyType.REGISTERED] * 5
    + [ResidencyType.PERMANENT] * 3
    + [ResidencyType.TENANT] * 2
    + [ResidencyType.FLOATING]
)


def _fake_id_number(fake: Faker, region: str) -> str:
    born = fake.date_of_birth(minimum_age=1, maximum_age=95)
    first17 = f"{region}{born:%Y%m%d}{fake.random_int(0, 999):03d}"
    return first17 + check_digit(first17)


def _residents(community: Place, fake: Faker, log: Callable[[str], None]) -> None:
    """One to four fake residents in three households out of four, written through the import's
    bulk writer; none if the community has residents already."""
    if Person.objects.filter(subtree_q(community.path, "place_path")).exists():
        return
    checked = Checked()
    region = community.code[:6] if community.code else "520102"
    for household in Household.objects.filter(subtree_q(community.path, "place__path")).select_related("place"):
        if fake.random_int(0, 3) == 0:
            continue
        for _ in range(fake.random_int(1, 4)):
            phone = fake.phone_number()
            number = _fake_id_number(fake, region)
            facts = id_card_facts(number)
            tags = (
                list(fake.random_elements(Tag.values, length=fake.random_int(1, 2), unique=True))
                if fake.random_int(0, 4) == 0
                else []
            )
            checked.good.append(
                GoodRow(
                    row=len(checked.good) + 2,
                    values={
                        "name": fake.name(),
                        "id_type": IdType.ID_CARD,
                        "id_number": number,
                        "birth_date": facts.birth_date,
                        "sex": facts.sex,
                        "phone": phone,
                        "phone_last4": phone[-4:],
                        "household": household,
                        "residency_type": fake.random_element(RESIDENCY_WEIGHTS),
                        "notes": "",
                        "tags": tags,
                    },
                )
            )
    checked.total = len(checked.good)
    created = write_rows(actor=None, place=community, checked=checked, all_or_nothing=True)
    log(f"{community.name}: {created} fake residents")

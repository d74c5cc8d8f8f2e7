"""The signed link on a building's printed notice: one QR code serves every household of the
building, so it carries no person, only the round and the building (tamper-evident: a changed id
is a 404, not another building's page)."""

from django.core import signing
from django.urls import reverse

from tongzhou.places.models import Place
from tongzhou.testing.models import Round

SALT = "tongzhou.testing.building"


def building_token(round_: Round, building: Place) -> str:
    return signing.dumps({"r": round_.pk, "b": building.pk}, salt=SALT, compress=True)


def read_building_token(token: str) -> tuple[int, int] | None:
    """(round id, building id), or None when the token is forged or junk."""
    if len(token) > 200:
        return None
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("b"), int):
        return None
    return data["r"], data["b"]


def building_url(round_: Round, building: Place, site_url: str = "") -> str:
    path = reverse("testing:building", args=[building_token(round_, building)])
    return site_url.rstrip("/") + path if site_url else path

"""May this household go out now? The one rule the gate asks, fed by every module that can keep
residents at home.

A module that keeps people at home registers a provider from its app's `ready()`:

    from tongzhou.people import outings
    outings.register("monitoring", kept_home_by_orders)

A provider is a function `(household_ids, today) -> set of household ids`: of the households
asked about, those it keeps at home on `today` (a local date). It answers per household because
the gate's pass is the household's. It must answer with one query whatever the number of ids
(the gate asks for a whole compound when it fills the scan page's offline cache, and for one
household on a scan), read only, and never say why: the gate shows one reason for every provider
("may not leave: contact the committee"), so no diagnosis reaches the guard.

Fed today by: monitoring (active home isolation and home health monitoring orders). The testing
module, when it lands, registers a provider for households with a member recalled for a retest.
A sealed place is not a provider: the gate's control levels refuse it already (checkpoints.rules).
"""

from collections.abc import Callable, Collection
from datetime import date

from django.utils import timezone

Provider = Callable[[Collection[int], date], set[int]]

_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Adds (or replaces, under the same name) a provider; called from an app's `ready()`."""
    _providers[name] = provider


def providers() -> dict[str, Provider]:
    return dict(_providers)


def households_kept_home(household_ids: Collection[int], today: date | None = None) -> set[int]:
    """Of `household_ids`, those some provider keeps at home today: they may not go out (coming
    home is always allowed). One query per provider; none for no ids."""
    ids = {pk for pk in household_ids if pk is not None}
    if not ids:
        return set()
    today = today or timezone.localdate()
    kept: set[int] = set()
    for provider in _providers.values():
        kept |= provider(ids, today) & ids
    return kept

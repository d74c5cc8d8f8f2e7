"""Importers by name. Each app registers its own in AppConfig.ready(); core knows none of them."""

from collections.abc import Callable

from tongzhou.core.imports.base import Importer, Target

_importers: dict[str, type[Importer]] = {}
_place_lookup: list[Callable[[str], Target | None]] = []


def register(importer: type[Importer]) -> type[Importer]:
    """Register `importer` under its name (usable as a class decorator). A second, different
    importer under one name is a programming error."""
    known = _importers.get(importer.name)
    if known is not None and known is not importer:
        raise ValueError(f"two importers named {importer.name!r}: {known!r} and {importer!r}")
    _importers[importer.name] = importer
    return importer


def unregister(name: str) -> None:
    _importers.pop(name, None)


def get_importer(name: str) -> type[Importer]:
    """The importer registered as `name`; KeyError if there is none."""
    return _importers[name]


def importer_names() -> list[str]:
    return sorted(_importers)


def register_place_lookup(lookup: Callable[[str], Target | None]) -> None:
    """How the command line finds the place imported into by its code (the places app's)."""
    _place_lookup[:] = [lookup]


def place_by_code(code: str) -> Target | None:
    if not _place_lookup:
        raise LookupError("no place lookup registered (the places app registers it)")
    return _place_lookup[0](code)

"""Subtree scope on the materialized path.

Every place has a `path` such as `/52/5201/520102/520102029/520102029004/`; its subtree is every
path that starts with it. "Starts with" is written as the half-open range [path, path') where path'
is the path with its closing "/" replaced by the next character, "0". Both engines answer a range
with one index scan on a binary-collated column (the path column is `COLLATE "C"` on PostgreSQL),
where LIKE would depend on collation and pragmas.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

SEPARATOR = "/"
_AFTER_SEPARATOR = chr(ord(SEPARATOR) + 1)


def subtree_q(path: str, field: str = "path") -> Q:
    """Rows whose `field` lies in the subtree of `path` (the place itself included)."""
    if not path.endswith(SEPARATOR):
        raise ValueError(f"A place path ends with {SEPARATOR!r}: {path!r}")
    return Q(**{f"{field}__gte": path, f"{field}__lt": path[:-1] + _AFTER_SEPARATOR})


def is_within(path: str, ancestor: str) -> bool:
    return path.startswith(ancestor)


def ancestor_paths(path: str) -> list[str]:
    """`/a/b/c/` -> [`/a/`, `/a/b/`, `/a/b/c/`]."""
    segments = path.strip(SEPARATOR).split(SEPARATOR)
    return [SEPARATOR + SEPARATOR.join(segments[: i + 1]) + SEPARATOR for i in range(len(segments))]


@dataclass(frozen=True)
class Scope:
    """The subtrees a user may reach with one permission: the roots, none inside another."""

    roots: tuple[str, ...]

    @classmethod
    def of(cls, paths: Iterable[str]) -> "Scope":
        roots: list[str] = []
        for path in sorted(set(paths)):
            if not roots or not is_within(path, roots[-1]):
                roots.append(path)
        return cls(tuple(roots))

    @property
    def is_empty(self) -> bool:
        return not self.roots

    def q(self, field: str = "path") -> Q:
        """A filter for rows in scope; matches nothing when the scope is empty."""
        if not self.roots:
            return Q(pk__in=[])
        condition = Q()
        for root in self.roots:
            condition |= subtree_q(root, field)
        return condition

    def contains(self, path: str) -> bool:
        return any(is_within(path, root) for root in self.roots)

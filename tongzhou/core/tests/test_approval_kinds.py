"""The registry of approval kinds: every four-eyes request model is registered (so the one queue
lists it), and a key is taken once."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from tongzhou.core.permissions import Perm
from tongzhou.core.transitions import ApprovalKind, ApprovalRequest, approval_kinds, register_approval_kind


def test_every_approval_request_model_is_in_the_queue():
    models = {m._meta.label for m in apps.get_models() if issubclass(m, ApprovalRequest)}
    assert models == {kind.model for kind in approval_kinds()}
    assert {"checkpoints.ControlChange", "monitoring.Override", "volunteers.ChangeRequest"} <= models


def test_a_key_is_declared_once():
    known = approval_kinds()[0]
    register_approval_kind(known)  # the same kind again is harmless
    other = ApprovalKind(
        key=known.key,
        label="x",
        model=known.model,
        perm=Perm.PLACES_VIEW,
        path_field="place_path",
        decide=known.decide,
        describe=str,
    )
    with pytest.raises(ImproperlyConfigured):
        register_approval_kind(other)

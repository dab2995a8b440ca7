"""Every change to an account goes through these functions."""

from __future__ import annotations

from django.db import transaction

from ventanilla.identity.models import AssuranceLevel, User
from ventanilla.identity.registry import IdentityClaim, RegistryAnswer, RegistryClient


def confirm_identity_with_registry(user: User, *, registry: RegistryClient) -> RegistryAnswer:
    """Ask the national registry whether the account's CUI, names and date of birth belong
    together, and raise the account to level 2 when they do.

    The registry is called outside any transaction (it may take seconds); only the
    upgrade itself is written in one. An unavailable registry leaves the account as it
    was, for a later retry. Accounts already at level 2 or 3 are never lowered.
    """
    if user.birth_date is None:
        return RegistryAnswer.MISMATCH
    answer = registry.verify(
        IdentityClaim(user.cui, user.first_names, user.last_names, user.birth_date)
    )
    if answer is RegistryAnswer.MATCH:
        with transaction.atomic():
            User.objects.filter(pk=user.pk, assurance_level__lt=AssuranceLevel.REGISTRY).update(
                assurance_level=AssuranceLevel.REGISTRY
            )
        user.refresh_from_db(fields=["assurance_level"])
    return answer

"""Whether an account is sure enough of who the person is to do something, and if not, why
and what the person can do about it.

The answer is shown to the person, so it speaks about their own account only and never about
what the national registry holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ventanilla.identity.models import AssuranceLevel, RegistryStatus, User


class Gap(StrEnum):
    """Why an account is below the level something needs."""

    CHECKING = "checking"  # the registry check is queued or running
    REGISTRY_DOWN = "registry_down"  # the registry did not answer; the worker retries
    MISMATCH = "mismatch"  # the registry did not confirm the name or date of birth
    NOT_FOUND = "not_found"  # the registry does not know the CUI
    NOT_ASKED = "not_asked"  # nobody asked the registry yet (e.g. accounts made by staff)
    IN_PERSON = "in_person"  # only an official at a counter can give this level


@dataclass(frozen=True)
class IdentityShortfall:
    required: int
    current: int
    gap: Gap

    @property
    def will_resolve_itself(self) -> bool:
        """True when waiting is enough: the worker is still asking the registry."""
        return self.gap in {Gap.CHECKING, Gap.REGISTRY_DOWN}


_GAP_FOR_STATUS = {
    RegistryStatus.PENDING: Gap.CHECKING,
    RegistryStatus.UNAVAILABLE: Gap.REGISTRY_DOWN,
    RegistryStatus.MISMATCH: Gap.MISMATCH,
    RegistryStatus.NOT_FOUND: Gap.NOT_FOUND,
    RegistryStatus.NOT_ASKED: Gap.NOT_ASKED,
    RegistryStatus.CONFIRMED: Gap.IN_PERSON,
}


def identity_shortfall(user: User, required: int) -> IdentityShortfall | None:
    """None when the account's assurance level is enough; otherwise why it is not."""
    if user.assurance_level >= required:
        return None
    if required >= AssuranceLevel.IN_PERSON:
        gap = Gap.IN_PERSON
    else:
        gap = _GAP_FOR_STATUS[RegistryStatus(user.registry_status)]
    return IdentityShortfall(required=required, current=user.assurance_level, gap=gap)


def registry_gap(user: User) -> Gap | None:
    """What stands between the account and level 2 (for the account page)."""
    shortfall = identity_shortfall(user, AssuranceLevel.REGISTRY)
    return shortfall.gap if shortfall else None

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ventanilla.core.text import fold


class RegistryAnswer(StrEnum):
    MATCH = "match"  # the CUI exists and belongs to this name and date of birth
    MISMATCH = "mismatch"  # the CUI exists but something differs (never says what)
    NOT_FOUND = "not_found"  # no such CUI in the registry
    UNAVAILABLE = "unavailable"  # the registry could not answer: down, slow or failing


@dataclass(frozen=True)
class IdentityClaim:
    """What a person says about themselves."""

    cui: str
    first_names: str
    last_names: str
    birth_date: datetime.date


class RegistryClient(Protocol):
    def verify(self, claim: IdentityClaim) -> RegistryAnswer:
        """Do this CUI, these names and this date of birth belong together?"""
        ...

    def verify_parenthood(self, parent_cui: str, child_cui: str) -> RegistryAnswer:
        """Is the person of ``parent_cui`` registered as the mother or father of the person
        of ``child_cui``? MATCH when they are, MISMATCH when both CUIs exist but are not
        parent and child, NOT_FOUND when either CUI is unknown. As with ``verify``, the
        answer never says what the registry holds (who the parents are)."""
        ...


def same_name(a: str, b: str) -> bool:
    """Names compared as people type them: case, accents and spacing do not matter."""
    return " ".join(fold(a).split()) == " ".join(fold(b).split())

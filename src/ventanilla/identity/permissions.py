"""The one place that decides what each role may do. Views and the API ask ``can``.

Some actions are about one unit's work (reviewing its cases, signing its documents): the
official must hold the role in that unit. Others are about the whole institution (editing
the catalogue, reading the audit trail, managing roles).
"""

from __future__ import annotations

from enum import StrEnum

from ventanilla.identity.models import Membership, Role


class Action(StrEnum):
    REVIEW_CASES = "cases.review"  # work a unit's queue: review, request corrections
    DECIDE_CASES = "cases.decide"  # approve or reject a unit's cases
    SUPERVISE_CASES = "cases.supervise"  # assign a unit's cases, receive its escalations
    SIGN_DOCUMENTS = "documents.sign"
    REVOKE_DOCUMENTS = "documents.revoke"
    EDIT_CATALOGUE = "catalog.edit"
    HANDLE_COMPLAINTS = "complaints.handle"
    READ_AUDIT_TRAIL = "audit.read"
    MANAGE_ROLES = "accounts.manage_roles"
    CONFIRM_IDENTITY_IN_PERSON = "accounts.confirm_in_person"


UNIT_SCOPED = frozenset(
    {
        Action.REVIEW_CASES,
        Action.DECIDE_CASES,
        Action.SUPERVISE_CASES,
        Action.SIGN_DOCUMENTS,
        Action.REVOKE_DOCUMENTS,
        Action.CONFIRM_IDENTITY_IN_PERSON,
    }
)

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.REVIEWER: frozenset(
        {Action.REVIEW_CASES, Action.DECIDE_CASES, Action.CONFIRM_IDENTITY_IN_PERSON}
    ),
    Role.SUPERVISOR: frozenset({Action.SUPERVISE_CASES}),
    Role.SIGNER: frozenset({Action.SIGN_DOCUMENTS, Action.REVOKE_DOCUMENTS}),
    Role.CATALOGUE_EDITOR: frozenset({Action.EDIT_CATALOGUE}),
    # Complaints never go to the unit concerned: the complaints officer's scope is the
    # whole institution, and no other role may handle them.
    Role.COMPLAINTS_OFFICER: frozenset({Action.HANDLE_COMPLAINTS}),
    Role.AUDITOR: frozenset({Action.READ_AUDIT_TRAIL}),
    Role.ADMINISTRATOR: frozenset({Action.MANAGE_ROLES}),
}


def roles_allowed_to(action: Action) -> set[Role]:
    return {role for role, actions in ROLE_ACTIONS.items() if action in actions}


def can(user, action: Action, *, org_unit=None) -> bool:
    """Whether this account may perform the action (in this unit, for unit-scoped ones)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    memberships = Membership.objects.filter(user=user, role__in=roles_allowed_to(action))
    if action in UNIT_SCOPED:
        if org_unit is None:
            return False
        memberships = memberships.filter(org_unit=org_unit)
    return memberships.exists()


def units_where(user, action: Action) -> list:
    """The units where this account may perform a unit-scoped action, by name."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    memberships = Membership.objects.filter(
        user=user, role__in=roles_allowed_to(action)
    ).select_related("org_unit")
    return sorted({m.org_unit for m in memberships}, key=lambda unit: unit.name)


def is_official(user) -> bool:
    """Officials handle other people's data: anyone with a role, or with access to the
    administration. They must use a second factor."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or Membership.objects.filter(user=user).exists()


# Lanes in a procedure's diagram are roles; what working a task in each lane requires.
LANE_ACTIONS: dict[str, Action] = {
    Role.REVIEWER: Action.REVIEW_CASES,
    Role.SIGNER: Action.SIGN_DOCUMENTS,
    Role.COMPLAINTS_OFFICER: Action.HANDLE_COMPLAINTS,
    Role.CATALOGUE_EDITOR: Action.EDIT_CATALOGUE,
    Role.AUDITOR: Action.READ_AUDIT_TRAIL,
    Role.ADMINISTRATOR: Action.MANAGE_ROLES,
}


def can_work_lane(user, lane: str, *, org_unit) -> bool:
    """Whether an official may complete a task in this lane of a case of this unit."""
    action = LANE_ACTIONS.get(lane)
    return action is not None and can(user, action, org_unit=org_unit)

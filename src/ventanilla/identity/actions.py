"""Every change to an account goes through these functions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.core.models import OrgUnit
from ventanilla.identity.models import AssuranceLevel, Membership, Role, User
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


def _require(actor, action) -> None:
    from ventanilla.identity.permissions import can

    if not can(actor, action):
        raise PermissionDenied(_("No tiene permiso para cambiar los roles del personal."))


def _sync_staff_access(user: User) -> None:
    """The Django admin is the catalogue editors' tool: keep their group and staff flag in
    step with the role (superusers keep their own access)."""
    from ventanilla.catalog.reference import ensure_editor_group

    editors = ensure_editor_group()
    is_editor = user.memberships.filter(role=Role.CATALOGUE_EDITOR).exists()
    if is_editor:
        user.groups.add(editors)
    else:
        user.groups.remove(editors)
    if not user.is_superuser:
        User.objects.filter(pk=user.pk).update(is_staff=is_editor)
        user.is_staff = is_editor


@transaction.atomic
def grant_role(user: User, role: Role, org_unit: OrgUnit, *, actor) -> Membership:
    """Give an official a role in a unit. Only administrators may."""
    from ventanilla.identity.permissions import Action

    _require(actor, Action.MANAGE_ROLES)
    membership = Membership.objects.filter(user=user, org_unit=org_unit, role=role).first()
    if membership is None:
        membership = Membership(user=user, org_unit=org_unit, role=role, granted_by=actor)
        membership._history_user = actor
        membership.save()
    _sync_staff_access(user)
    return membership


@transaction.atomic
def revoke_role(user: User, role: Role, org_unit: OrgUnit, *, actor) -> None:
    """Take a role away; the history keeps who had it and until when."""
    from ventanilla.identity.permissions import Action

    _require(actor, Action.MANAGE_ROLES)
    for membership in Membership.objects.filter(user=user, org_unit=org_unit, role=role):
        membership._history_user = actor
        membership.delete()
    _sync_staff_access(user)


@transaction.atomic
def bootstrap_administrator(user: User, org_unit: OrgUnit) -> Membership:
    """The first administrator, from the command line (nobody can grant it yet)."""
    membership, _created = Membership.objects.get_or_create(
        user=user, org_unit=org_unit, role=Role.ADMINISTRATOR
    )
    return membership

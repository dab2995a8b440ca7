"""Roles: the table of what each may do, scope by unit, and who may grant them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from ventanilla.catalog.reference import EDITORS_GROUP
from ventanilla.core.cui import make_cui
from ventanilla.core.models import OrgUnit
from ventanilla.identity.actions import bootstrap_administrator, grant_role, revoke_role
from ventanilla.identity.models import Membership, Role, User
from ventanilla.identity.permissions import ROLE_ACTIONS, UNIT_SCOPED, Action, can

pytestmark = pytest.mark.django_db


def make_user(n: int) -> User:
    return User.objects.create_user(make_cui(40_000_000 + n, "01", "01"), "una-clave-larga-2026")


@pytest.fixture
def units():
    return {
        code: OrgUnit.objects.get(code=code)
        for code in ["dinfo", "digeace", "dideduc-peten", "dideduc-guatemala-norte"]
    }


@pytest.fixture
def admin(units):
    user = make_user(1)
    bootstrap_administrator(user, units["dinfo"])
    return user


# role, action, where the role is held, where the action happens, allowed?
TABLE = [
    (Role.REVIEWER, Action.REVIEW_CASES, "dideduc-peten", "dideduc-peten", True),
    (Role.REVIEWER, Action.REVIEW_CASES, "dideduc-peten", "dideduc-guatemala-norte", False),
    (Role.REVIEWER, Action.DECIDE_CASES, "dideduc-peten", "dideduc-peten", True),
    (Role.REVIEWER, Action.SIGN_DOCUMENTS, "dideduc-peten", "dideduc-peten", False),
    (Role.SIGNER, Action.SIGN_DOCUMENTS, "digeace", "digeace", True),
    (Role.SIGNER, Action.SIGN_DOCUMENTS, "digeace", "dideduc-peten", False),
    (Role.SIGNER, Action.REVIEW_CASES, "digeace", "digeace", False),
    (Role.CATALOGUE_EDITOR, Action.EDIT_CATALOGUE, "digeace", None, True),
    (Role.CATALOGUE_EDITOR, Action.MANAGE_ROLES, "digeace", None, False),
    (Role.COMPLAINTS_OFFICER, Action.HANDLE_COMPLAINTS, "dinfo", None, True),
    (Role.REVIEWER, Action.HANDLE_COMPLAINTS, "dideduc-peten", None, False),
    (Role.AUDITOR, Action.READ_AUDIT_TRAIL, "dinfo", None, True),
    (Role.AUDITOR, Action.REVIEW_CASES, "dinfo", "dinfo", False),
    (Role.ADMINISTRATOR, Action.MANAGE_ROLES, "dinfo", None, True),
    (Role.ADMINISTRATOR, Action.SIGN_DOCUMENTS, "dinfo", "dinfo", False),
]


@pytest.mark.parametrize(("role", "action", "held_in", "acting_in", "allowed"), TABLE)
def test_what_each_role_may_do(admin, units, role, action, held_in, acting_in, allowed):
    official = make_user(2)
    grant_role(official, role, units[held_in], actor=admin)
    assert can(official, action, org_unit=units.get(acting_in)) is allowed


def test_every_role_can_do_something_and_unit_actions_need_a_unit(admin, units):
    assert all(ROLE_ACTIONS[role] for role in Role)
    reviewer = make_user(3)
    grant_role(reviewer, Role.REVIEWER, units["dideduc-peten"], actor=admin)
    for action in UNIT_SCOPED & ROLE_ACTIONS[Role.REVIEWER]:
        assert not can(reviewer, action)  # no unit given: never allowed


def test_nobody_else_can_do_anything(admin):
    citizen = make_user(4)
    superuser = User.objects.create_superuser(
        make_cui(40_000_005, "01", "01"), "x-clave-2026-larga"
    )
    for action in Action:
        assert not can(citizen, action)
        assert not can(AnonymousUser(), action)
        # Being a Django superuser gives no role: separation of duties holds for everyone.
        assert not can(superuser, action)


def test_only_administrators_grant_and_revoke_roles(admin, units):
    official, intruder = make_user(6), make_user(7)
    with pytest.raises(PermissionDenied):
        grant_role(official, Role.SIGNER, units["digeace"], actor=intruder)
    grant_role(official, Role.SIGNER, units["digeace"], actor=admin)
    with pytest.raises(PermissionDenied):
        revoke_role(official, Role.SIGNER, units["digeace"], actor=intruder)
    revoke_role(official, Role.SIGNER, units["digeace"], actor=admin)
    assert not can(official, Action.SIGN_DOCUMENTS, org_unit=units["digeace"])


def test_role_changes_are_kept_in_the_history(admin, units):
    official = make_user(8)
    grant_role(official, Role.AUDITOR, units["dinfo"], actor=admin)
    revoke_role(official, Role.AUDITOR, units["dinfo"], actor=admin)
    history = Membership.history.filter(user=official).order_by("history_date")
    assert [(h.history_type, h.history_user) for h in history] == [("+", admin), ("-", admin)]


def test_the_catalogue_editor_role_opens_the_admin_and_closing_it_closes_it(admin, units):
    official = make_user(9)
    grant_role(official, Role.CATALOGUE_EDITOR, units["digeace"], actor=admin)
    official.refresh_from_db()
    assert official.is_staff and official.groups.filter(name=EDITORS_GROUP).exists()
    assert official.has_perm("catalog.change_procedure")
    revoke_role(official, Role.CATALOGUE_EDITOR, units["digeace"], actor=admin)
    official = User.objects.get(pk=official.pk)  # fresh permission cache
    assert not official.is_staff and not official.has_perm("catalog.change_procedure")

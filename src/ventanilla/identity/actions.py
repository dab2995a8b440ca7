"""Every change to an account goes through these functions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn.helpers import bytes_to_base64url

from ventanilla.core.models import OrgUnit
from ventanilla.identity import two_factor
from ventanilla.identity.models import (
    AccountEvent,
    AssuranceLevel,
    Membership,
    OfficialAction,
    Passkey,
    PersonalDataView,
    RecoveryCode,
    RegistryStatus,
    Role,
    TotpDevice,
    User,
)
from ventanilla.identity.registry import IdentityClaim, RegistryAnswer, RegistryClient
from ventanilla.identity.two_factor import CodeCheck

_STATUS_FOR_ANSWER = {
    RegistryAnswer.MATCH: RegistryStatus.CONFIRMED,
    RegistryAnswer.MISMATCH: RegistryStatus.MISMATCH,
    RegistryAnswer.NOT_FOUND: RegistryStatus.NOT_FOUND,
    RegistryAnswer.UNAVAILABLE: RegistryStatus.UNAVAILABLE,
}


def confirm_identity_with_registry(user: User, *, registry: RegistryClient) -> RegistryAnswer:
    """Ask the national registry whether the account's CUI, names and date of birth belong
    together, and raise the account to level 2 when they do.

    The registry is called outside any transaction (it may take seconds); only the
    answer is written, in one. An unavailable registry leaves the level as it was, for a
    later retry. Accounts already at level 2 or 3 are never lowered, and what the registry
    holds is never stored: only whether it agreed.
    """
    if user.birth_date is None:
        answer = RegistryAnswer.MISMATCH
    else:
        answer = registry.verify(
            IdentityClaim(user.cui, user.first_names, user.last_names, user.birth_date)
        )
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        if account.assurance_level < AssuranceLevel.REGISTRY:
            account.registry_status = _STATUS_FOR_ANSWER[answer]
            if answer is RegistryAnswer.MATCH:
                account.assurance_level = AssuranceLevel.REGISTRY
        elif answer is RegistryAnswer.MATCH:
            account.registry_status = RegistryStatus.CONFIRMED
        account.registry_checked_at = timezone.now()
        account.save(update_fields=["assurance_level", "registry_status", "registry_checked_at"])
    user.refresh_from_db(fields=["assurance_level", "registry_status", "registry_checked_at"])
    return answer


def request_identity_confirmation(user: User) -> None:
    """Queue the registry check for an account; the worker runs it and retries it while the
    registry is unavailable. Call inside the transaction that created or changed the
    account: the job is queued only if it commits."""
    from ventanilla.identity.tasks import confirm_identity

    User.objects.filter(pk=user.pk, assurance_level__lt=AssuranceLevel.REGISTRY).update(
        registry_status=RegistryStatus.PENDING
    )
    user.registry_status = RegistryStatus.PENDING
    transaction.on_commit(lambda: confirm_identity.enqueue(user.pk))


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


EMAIL_SALT = "ventanilla.identity.email-verification"


@transaction.atomic
def register_account(
    *, cui: str, first_names: str, last_names: str, birth_date, email: str, password: str
) -> User:
    """Create a citizen's account at assurance level 1; once it is committed, send the
    e-mail confirmation and queue the registry check that may raise it to level 2."""
    user = User.objects.create_user(
        cui,
        password,
        first_names=first_names,
        last_names=last_names,
        birth_date=birth_date,
        email=email,
    )
    if user.email:  # people registered at a counter often have none
        transaction.on_commit(lambda: send_email_verification(user))
    request_identity_confirmation(user)
    return user


def email_verification_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=EMAIL_SALT)


def send_email_verification(user: User) -> None:
    link = settings.VENTANILLA_PUBLIC_URL.rstrip("/") + reverse(
        "identity:verify_email", args=[email_verification_token(user)]
    )
    context = {
        "user": user,
        "link": link,
        "platform": settings.VENTANILLA,
        "days": settings.EMAIL_VERIFICATION_MAX_AGE // 86400,
    }
    send_mail(
        subject=_("Confirme su correo en %(service)s")
        % {"service": settings.VENTANILLA["SERVICE_NAME"]},
        message=render_to_string("identity/email/verify_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


class EmailVerification(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    EXPIRED = "expired"
    INVALID = "invalid"


@transaction.atomic
def verify_email(token: str) -> EmailVerification:
    """Confirm the address a link was sent to. A link works for a few days and only for
    the address it was sent to (changing the e-mail makes older links useless)."""
    try:
        data = signing.loads(token, salt=EMAIL_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        return EmailVerification.EXPIRED
    except signing.BadSignature:
        return EmailVerification.INVALID
    user = User.objects.select_for_update().filter(pk=data.get("user")).first()
    if user is None or user.email != data.get("email"):
        return EmailVerification.INVALID
    if user.email_verified_at is not None:
        return EmailVerification.ALREADY_CONFIRMED
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return EmailVerification.CONFIRMED


def resend_email_verification(email: str) -> None:
    """Send a new link to every unconfirmed account with this address (usually one)."""
    for user in User.objects.filter(email__iexact=email, email_verified_at__isnull=True)[:3]:
        send_email_verification(user)


# --- Second factor ------------------------------------------------------------------------


@dataclass(frozen=True)
class SecondFactorResult:
    check: CodeCheck
    used_recovery_code: bool = False
    recovery_codes_left: int | None = None

    @property
    def accepted(self) -> bool:
        return self.check is CodeCheck.ACCEPTED


@transaction.atomic
def enable_totp(user: User, secret: str, code: str) -> tuple[CodeCheck, list[str]]:
    """Turn on the authenticator app once the person proves it makes the right codes.
    Returns the check and, when accepted, the new recovery codes (shown once)."""
    check, step = two_factor.check_totp(secret, code, last_used_step=0)
    if check is not CodeCheck.ACCEPTED:
        return check, []
    TotpDevice.objects.update_or_create(
        user=user,
        defaults={
            "encrypted_secret": two_factor.encrypt_secret(secret),
            "confirmed_at": timezone.now(),
            "last_used_step": step,
        },
    )
    return check, regenerate_recovery_codes(user)


@transaction.atomic
def regenerate_recovery_codes(user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    user.recovery_codes.all().delete()
    codes = two_factor.new_recovery_codes()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=two_factor.recovery_code_hash(code)) for code in codes
    )
    return codes


@transaction.atomic
def disable_totp(user: User) -> None:
    TotpDevice.objects.filter(user=user).delete()
    user.recovery_codes.all().delete()


@transaction.atomic
def check_second_factor(user: User, code: str) -> SecondFactorResult:
    """Check a code from the app, or a recovery code, for the second step of signing in.
    The device row is locked so that one code cannot be used twice, even at once."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return SecondFactorResult(CodeCheck.WRONG)
    if two_factor.looks_like_recovery_code(code):
        used = RecoveryCode.objects.filter(
            user=user, code_hash=two_factor.recovery_code_hash(code), used_at__isnull=True
        ).update(used_at=timezone.now())
        left = user.recovery_codes.filter(used_at__isnull=True).count()
        if used:
            return SecondFactorResult(CodeCheck.ACCEPTED, True, left)
        reused = user.recovery_codes.filter(
            code_hash=two_factor.recovery_code_hash(code), used_at__isnull=False
        ).exists()
        return SecondFactorResult(CodeCheck.REUSED if reused else CodeCheck.WRONG, True, left)
    secret = two_factor.decrypt_secret(device.encrypted_secret)
    check, step = two_factor.check_totp(secret, code, device.last_used_step)
    if check is CodeCheck.ACCEPTED:
        device.last_used_step = step
        device.save(update_fields=["last_used_step"])
    return SecondFactorResult(check)


# --- Passkeys ------------------------------------------------------------------------------


def add_passkey(user: User, verified, name: str) -> Passkey:
    """Keep a passkey whose registration was verified (``identity.passkeys``)."""
    return Passkey.objects.create(
        user=user,
        name=name.strip()[:60] or _("Mi huella"),
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        backed_up=verified.credential_backed_up,
    )


def record_passkey_use(passkey: Passkey, verified) -> None:
    Passkey.objects.filter(pk=passkey.pk).update(
        sign_count=verified.new_sign_count,
        backed_up=verified.credential_backed_up,
        last_used_at=timezone.now(),
    )


def remove_passkey(user: User, passkey_id: int) -> bool:
    deleted, _rows = Passkey.objects.filter(user=user, pk=passkey_id).delete()
    return bool(deleted)


# --- Privacy -------------------------------------------------------------------------------


def record_personal_data_view(viewer: User, subject: User, what: str, path: str = "") -> None:
    """Log that an official saw someone's personal data. Looking at one's own is not
    logged."""
    if viewer.pk == subject.pk:
        return
    PersonalDataView.objects.create(viewer=viewer, subject=subject, what=what, path=path[:300])


# --- Account pages -------------------------------------------------------------------------


@transaction.atomic
def update_profile(user: User, *, first_names: str, last_names: str, birth_date, phone: str):
    """Change what a person says about themselves. Names and date of birth can change only
    while the registry has not confirmed them (level 1); a change asks the registry again."""
    identity_changed = (first_names, last_names, birth_date) != (
        user.first_names,
        user.last_names,
        user.birth_date,
    )
    if identity_changed and user.assurance_level >= AssuranceLevel.REGISTRY:
        raise PermissionDenied(_("Su identidad ya está confirmada: sus datos no se cambian aquí."))
    user.first_names, user.last_names, user.birth_date = first_names, last_names, birth_date
    user.phone = phone
    user.save(update_fields=["first_names", "last_names", "birth_date", "phone"])
    if identity_changed:
        request_identity_confirmation(user)


@transaction.atomic
def change_email(user: User, new_email: str) -> None:
    """Use a new address: it must be confirmed again, and the old one is told (so that a
    stolen session cannot quietly take over the account's mail)."""
    old_email = user.email
    user.email = User.objects.normalize_email(new_email)
    user.email_verified_at = None
    user.save(update_fields=["email", "email_verified_at"])
    if user.email:  # people registered at a counter often have none
        transaction.on_commit(lambda: send_email_verification(user))
    if old_email and old_email.lower() != user.email.lower():
        transaction.on_commit(lambda: _tell_old_address(user, old_email))


def _tell_old_address(user: User, old_email: str) -> None:
    context = {"user": user, "platform": settings.VENTANILLA, "new_email": user.email}
    send_mail(
        subject=_("El correo de su cuenta cambió"),
        message=render_to_string("identity/email/email_changed.txt", context),
        from_email=None,
        recipient_list=[old_email],
    )


def sign_out_other_sessions(user: User, keep_session_key: str | None) -> int:
    """End every session of the account except this one; returns how many ended."""
    from django.contrib.sessions.models import Session

    keys = list(
        user.browser_sessions.exclude(session_key=keep_session_key).values_list(
            "session_key", flat=True
        )
    )
    with transaction.atomic():
        Session.objects.filter(session_key__in=keys).delete()
        user.browser_sessions.filter(session_key__in=keys).delete()
    return len(keys)


# --- At a counter ---------------------------------------------------------------------------


def _require_counter_role(actor: User, org_unit: OrgUnit) -> None:
    from ventanilla.identity.permissions import Action, can

    if not can(actor, Action.CONFIRM_IDENTITY_IN_PERSON, org_unit=org_unit):
        raise PermissionDenied(_("No puede atender cuentas en esta unidad."))


@transaction.atomic
def confirm_identity_in_person(user: User, *, actor: User, org_unit: OrgUnit, note: str = ""):
    """An official saw the person and their DPI at a counter: level 3."""
    _require_counter_role(actor, org_unit)
    if actor.pk == user.pk:
        raise PermissionDenied(_("Nadie puede confirmar su propia identidad."))
    User.objects.filter(pk=user.pk).update(assurance_level=AssuranceLevel.IN_PERSON)
    user.assurance_level = AssuranceLevel.IN_PERSON
    AccountEvent.objects.create(
        user=user,
        actor=actor,
        org_unit=org_unit,
        kind=OfficialAction.CONFIRMED_IN_PERSON,
        note=note[:200],
    )


@transaction.atomic
def reset_second_factor(user: User, *, actor: User, org_unit: OrgUnit, note: str = ""):
    """The person lost their phone and recovery codes and proved who they are at a counter:
    remove the app and the codes so they can set them up again."""
    _require_counter_role(actor, org_unit)
    if actor.pk == user.pk:
        raise PermissionDenied(_("Nadie puede quitar su propia verificación en dos pasos aquí."))
    disable_totp(user)
    AccountEvent.objects.create(
        user=user,
        actor=actor,
        org_unit=org_unit,
        kind=OfficialAction.SECOND_FACTOR_RESET,
        note=note[:200],
    )

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ventanilla.core.cui import mask_cui, normalize_cui, parse_cui
from ventanilla.core.fields import CuiField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, cui: str, password: str | None, **fields):
        cui = parse_cui(cui).digits
        if email := fields.get("email"):
            fields["email"] = self.normalize_email(email)
        user = self.model(cui=cui, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, cui: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(cui, password, **fields)

    def create_superuser(self, cui: str, password: str | None = None, **fields):
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create_user(cui, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(**{self.model.USERNAME_FIELD: normalize_cui(username)})


class AssuranceLevel(models.IntegerChoices):
    """How sure the platform is that the account's owner is the person of the CUI."""

    SELF_DECLARED = 1, _("1 · Declarado por la persona")
    REGISTRY = 2, _("2 · Confirmado con el registro nacional (RENAP)")
    IN_PERSON = 3, _("3 · Confirmado en persona por un funcionario")


class RegistryStatus(models.TextChoices):
    """Where the account stands with the national registry (RENAP)."""

    NOT_ASKED = "not_asked", _("Sin consultar")
    PENDING = "pending", _("Consulta en curso")
    CONFIRMED = "confirmed", _("Datos confirmados")
    MISMATCH = "mismatch", _("Los datos no coinciden")
    NOT_FOUND = "not_found", _("CUI no encontrado")
    UNAVAILABLE = "unavailable", _("Registro sin respuesta; se reintentará")


class User(AbstractBaseUser, PermissionsMixin):
    """One account per person, identified by the CUI (the number on the DPI)."""

    cui = CuiField(
        _("CUI"),
        unique=True,
        help_text=_("Los 13 números del DPI o del certificado de nacimiento."),
    )
    assurance_level = models.PositiveSmallIntegerField(
        _("nivel de confianza de la identidad"),
        choices=AssuranceLevel.choices,
        default=AssuranceLevel.SELF_DECLARED,
    )
    registry_status = models.CharField(
        _("consulta al registro nacional"),
        max_length=12,
        choices=RegistryStatus.choices,
        default=RegistryStatus.NOT_ASKED,
    )
    registry_checked_at = models.DateTimeField(
        _("última consulta al registro"), null=True, blank=True
    )
    birth_date = models.DateField(_("fecha de nacimiento"), null=True, blank=True)
    first_names = models.CharField(_("nombres"), max_length=120, blank=True)
    last_names = models.CharField(_("apellidos"), max_length=120, blank=True)
    email = models.EmailField(_("correo electrónico"), blank=True)
    email_verified_at = models.DateTimeField(_("correo confirmado el"), null=True, blank=True)
    phone = models.CharField(_("teléfono móvil"), max_length=20, blank=True)
    is_staff = models.BooleanField(
        _("acceso a la administración"),
        default=False,
        help_text=_("Puede entrar al sitio de administración."),
    )
    is_active = models.BooleanField(_("activa"), default=True)
    date_joined = models.DateTimeField(_("fecha de registro"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "cui"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_names", "last_names"]

    class Meta:
        verbose_name = _("cuenta")
        verbose_name_plural = _("cuentas")

    def __str__(self) -> str:
        return self.get_full_name() or mask_cui(self.cui)

    def get_full_name(self) -> str:
        return f"{self.first_names} {self.last_names}".strip()

    def get_short_name(self) -> str:
        return self.first_names or self.cui


class Role(models.TextChoices):
    """What an official does in a unit. What each role may do is decided in one place:
    ``identity.permissions``."""

    REVIEWER = "reviewer", _("Revisor de expedientes")
    SUPERVISOR = "supervisor", _("Jefe de unidad")
    SIGNER = "signer", _("Firmante")
    CATALOGUE_EDITOR = "catalogue_editor", _("Editor del catálogo")
    COMPLAINTS_OFFICER = "complaints_officer", _("Encargado de denuncias")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrador")


class Membership(models.Model):
    """An official's role in an org unit (a central directorate or a DIDEDUC)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("cuenta")
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("unidad"),
    )
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices)
    granted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("otorgado por"),
    )
    granted_at = models.DateTimeField(_("otorgado el"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org_unit", "role"], name="membership_unique_role_in_unit"
            )
        ]
        verbose_name = _("rol en una unidad")
        verbose_name_plural = _("roles en unidades")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org_unit}"


class TotpDevice(models.Model):
    """An authenticator app (Google Authenticator, FreeOTP, Aegis…) that makes six-digit
    codes: the second step of signing in. The shared secret is stored encrypted
    (``identity.two_factor``)."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="totp_device", verbose_name=_("cuenta")
    )
    encrypted_secret = models.BinaryField(_("secreto cifrado"))
    confirmed_at = models.DateTimeField(_("activada el"), default=timezone.now)
    # The 30-second step of the last code accepted: a code is never accepted twice.
    last_used_step = models.BigIntegerField(_("último paso usado"), default=0)

    class Meta:
        verbose_name = _("aplicación de códigos")
        verbose_name_plural = _("aplicaciones de códigos")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """One-time codes for when the phone with the authenticator app is lost. Only a keyed
    hash is stored; the person sees the codes once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("cuenta")
    )
    code_hash = models.CharField(_("huella del código"), max_length=64, unique=True)
    used_at = models.DateTimeField(_("usado el"), null=True, blank=True)

    class Meta:
        verbose_name = _("código de recuperación")
        verbose_name_plural = _("códigos de recuperación")

    def __str__(self) -> str:
        return f"{self.user} · {self.pk}"


class Passkey(models.Model):
    """A passkey ("huella"): the phone's or computer's fingerprint, face or PIN unlock,
    registered with WebAuthn. Signing in with one proves two factors at once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="passkeys", verbose_name=_("cuenta")
    )
    name = models.CharField(_("nombre"), max_length=60)
    credential_id = models.CharField(_("identificador"), max_length=1400, unique=True)
    public_key = models.BinaryField(_("clave pública"))
    sign_count = models.PositiveBigIntegerField(_("contador de firmas"), default=0)
    transports = models.JSONField(_("medios"), default=list, blank=True)
    backed_up = models.BooleanField(_("respaldada en la nube"), default=False)
    created_at = models.DateTimeField(_("agregada el"), default=timezone.now)
    last_used_at = models.DateTimeField(_("último uso"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("huella (passkey)")
        verbose_name_plural = _("huellas (passkeys)")

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"


class PersonalDataView(models.Model):
    """An official looked at someone's personal data: who, whose, what and when. The
    person can see these on their account page."""

    viewer = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("funcionario")
    )
    subject = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="personal_data_views",
        verbose_name=_("persona"),
    )
    what = models.CharField(_("qué consultó"), max_length=120)
    path = models.CharField(_("página"), max_length=300, blank=True)
    at = models.DateTimeField(_("cuándo"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("consulta de datos personales")
        verbose_name_plural = _("consultas de datos personales")

    def __str__(self) -> str:
        return f"{self.viewer} → {self.subject} · {self.what}"


class UserSession(models.Model):
    """A browser where the account is signed in, so the person can see them and sign out of
    all the others. Only a rough description of the browser is kept, no address."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="browser_sessions", verbose_name=_("cuenta")
    )
    session_key = models.CharField(_("sesión"), max_length=40, unique=True)
    device = models.CharField(_("navegador"), max_length=80, blank=True)
    signed_in_at = models.DateTimeField(_("inició sesión el"), default=timezone.now)

    class Meta:
        ordering = ["-signed_in_at"]
        verbose_name = _("sesión abierta")
        verbose_name_plural = _("sesiones abiertas")

    def __str__(self) -> str:
        return f"{self.user} · {self.device}"


class OfficialAction(models.TextChoices):
    CONFIRMED_IN_PERSON = "confirmed_in_person", _("Confirmó su identidad en persona")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Quitó su verificación en dos pasos")


class AccountEvent(models.Model):
    """Something an official did to a person's account, at a counter. The person sees
    these on their account page."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="account_events", verbose_name=_("cuenta")
    )
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("funcionario")
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unidad")
    )
    kind = models.CharField(_("qué hizo"), max_length=30, choices=OfficialAction.choices)
    note = models.CharField(_("nota"), max_length=200, blank=True)
    at = models.DateTimeField(_("cuándo"), default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("acción de un funcionario sobre una cuenta")
        verbose_name_plural = _("acciones de funcionarios sobre cuentas")

    def __str__(self) -> str:
        return f"{self.actor} → {self.user} · {self.get_kind_display()}"

"""Argon2id with the parameters the sign-in benchmark chose; older hashes are upgraded."""

import pytest
from argon2 import extract_parameters
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password

from ventanilla.core.cui import make_cui
from ventanilla.identity.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "una frase larga y mía"


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = [
        "ventanilla.identity.hashers.VentanillaArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def parameters(encoded: str):
    return extract_parameters(encoded.split("argon2", 1)[1])


def test_new_passwords_use_argon2id_19_mib_2_passes_1_lane(real_hashers):
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$")
    params = parameters(encoded)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)


def test_a_hash_with_djangos_defaults_still_works_and_is_upgraded_at_sign_in(client, real_hashers):
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    assert parameters(old).memory_cost == 102400
    user = User.objects.create_user(make_cui(90_100_001, "01", "01"), None, first_names="Eva")
    User.objects.filter(pk=user.pk).update(password=old)

    response = client.post("/cuenta/entrar/", {"username": user.cui, "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert parameters(user.password).memory_cost == 19456

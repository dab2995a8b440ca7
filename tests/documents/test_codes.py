import itertools
import re

import pytest

from ventanilla.documents import codes

PRINTED = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_new_codes_are_printed_in_three_groups_and_validate():
    generated = {codes.new_code() for _ in range(2000)}
    assert len(generated) == 2000
    for code in generated:
        assert PRINTED.match(code), code
        assert codes.normalize(code) == code


def test_every_single_typo_and_every_swap_is_caught():
    for _ in range(40):
        symbols = codes.new_code().replace("-", "")
        for position, other in itertools.product(range(12), codes.ALPHABET):
            if other != symbols[position]:
                typo = symbols[:position] + other + symbols[position + 1 :]
                assert codes.normalize(typo) is None, typo
        for first, second in itertools.combinations(range(12), 2):
            if symbols[first] != symbols[second]:
                swapped = list(symbols)
                swapped[first], swapped[second] = swapped[second], swapped[first]
                assert codes.normalize("".join(swapped)) is None


def test_typing_is_forgiving():
    code = "0000-0000-000" + codes.check_symbol("0" * 11)
    for typed in (code.lower(), code.replace("-", " "), code.replace("0", "O"), f"  {code} "):
        assert codes.normalize(typed) == code
    data = "1" * 11
    code = codes.normalize(data + codes.check_symbol(data))
    assert codes.normalize(code.replace("1", "I")) == code
    assert codes.normalize(code.lower().replace("1", "l")) == code


@pytest.mark.parametrize(
    "typed", ["", "K7QD-9X2M", "K7QD-9X2M-4TRA-XXXX", "UUUU-UUUU-UUUU", "¿qué?", "x" * 500, None]
)
def test_what_cannot_be_a_code_is_refused(typed):
    assert codes.normalize(typed) is None
    assert not codes.is_valid(typed)


def test_verification_url_uses_the_public_address(settings):
    settings.VENTANILLA_PUBLIC_URL = "https://tramites.example.gob.gt/"
    assert (
        codes.verification_url("K7QD-9X2M-4TRA")
        == "https://tramites.example.gob.gt/verificar/K7QD-9X2M-4TRA/"
    )


@pytest.mark.django_db
def test_unused_code_is_a_valid_code():
    assert codes.is_valid(codes.unused_code())

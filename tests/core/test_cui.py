import pytest
from django.core.exceptions import ValidationError

from ventanilla.core.cui import MESSAGES, check_digit, make_cui, parse_cui
from ventanilla.core.geography import departments, municipality_count, municipality_rows


def failure_code(value):
    with pytest.raises(ValidationError) as caught:
        parse_cui(value)
    return caught.value.code


def test_check_digit_follows_the_weighted_sum():
    # 2*1 + 3*2 + 4*3 + 5*4 + 6*5 + 7*6 + 8*7 + 9*8 = 240; 240 mod 11 = 9
    assert check_digit("12345678") == 9
    assert parse_cui("1234567890101").digits == "1234567890101"


def test_spaces_and_hyphens_are_ignored_and_printed_form_is_rebuilt():
    cui = parse_cui("1234 56789-0101")
    assert cui.digits == "1234567890101"
    assert cui.formatted() == "1234 56789 0101"
    assert cui.masked().endswith("0101") and "5678" not in cui.masked()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("123456789010", "format"),  # 12 digits
        ("12345678901011", "format"),  # 14 digits
        ("12345678A0101", "format"),
        ("１２３４５６７８９０１０１", "format"),  # full-width digits are not ASCII
        ("1234567880101", "check_digit"),
        ("1234567892301", "department"),
        ("1234567890001", "department"),
        ("1234567890100", "municipality"),
        ("1234567890118", "municipality"),  # Guatemala has 17 municipalities
    ],
)
def test_each_failure_has_its_own_code(value, code):
    assert failure_code(value) == code


def test_remainder_ten_is_never_issued():
    sequence = next(
        f"{n:08d}" for n in range(10_000_000, 10_001_000) if check_digit(f"{n:08d}") == 10
    )
    for digit in "0123456789":
        assert failure_code(f"{sequence}{digit}0101") == "check_digit"


def test_messages_are_distinct_spanish_sentences():
    texts = [str(message) for message in MESSAGES.values()]
    assert len(set(texts)) == len(texts)
    assert all("CUI" in text for text in texts)


def test_municipality_message_names_the_department():
    with pytest.raises(ValidationError) as caught:
        parse_cui(make_cui(1, "05", "15"))  # Escuintla has 14
    assert "Escuintla" in caught.value.messages[0]


def test_municipalities_created_in_2015_are_valid():
    sipacate = parse_cui(make_cui(4321, "05", "14"))
    petatan = parse_cui(make_cui(4321, "13", "33"))
    assert sipacate.municipality_name == "Sipacate"
    assert petatan.municipality_name == "Petatán"
    assert failure_code(make_cui(4321, "13", "34")) == "municipality"


def test_table_has_22_departments_and_340_municipalities():
    assert len(departments()) == 22
    assert len(municipality_rows()) == 340
    assert municipality_count("01") == 17
    assert municipality_count("99") == 0


def test_every_municipality_of_the_table_validates():
    for row in municipality_rows():
        assert parse_cui(make_cui(777, row.department_code, row.code)).municipality_name == row.name


@pytest.mark.django_db
def test_the_account_form_shows_the_spanish_cui_message():
    from ventanilla.identity.admin import UserCreationForm

    form = UserCreationForm(
        data={
            "cui": "1234 56788 0101",
            "password1": "una-clave-larga-2026",
            "password2": "una-clave-larga-2026",
        }
    )
    assert not form.is_valid()
    assert str(MESSAGES["check_digit"]) in form.errors["cui"]


@pytest.mark.django_db
def test_one_account_per_cui_whatever_the_spacing():
    from django.db import IntegrityError, transaction

    from ventanilla.identity.models import User

    User.objects.create_user("1234 56789 0101", "una-clave-larga-2026")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("1234-56789-0101", "otra-clave-larga-2026")
    assert User.objects.get_by_natural_key("1234 56789 0101").cui == "1234567890101"


def test_the_cui_form_field_accepts_the_printed_form_and_allows_typing_it():
    from ventanilla.core.fields import CuiFormField

    field = CuiFormField(max_length=13)
    assert field.clean("1234 56789-0101") == "1234567890101"
    assert field.widget_attrs(field.widget)["maxlength"] == "20"
    with pytest.raises(ValidationError):
        field.clean("1234 56789 01011")

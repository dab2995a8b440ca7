"""The business-day calendar (one table per year) against the plain rule walked day by day:
weekends and Guatemala's public holidays, forwards and backwards, across year ends."""

import datetime
import random

import pytest

from ventanilla.engine import business_days
from ventanilla.engine.business_days import (
    add_business_days,
    business_days_between,
    is_business_day,
)

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)


def plainly_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in business_days._holidays(day.year)


def walked_add(start: datetime.date, days: int) -> datetime.date:
    day, remaining = start, days
    while remaining > 0:
        day += ONE_DAY
        if plainly_business_day(day):
            remaining -= 1
    return day


def walked_between(start: datetime.date, end: datetime.date) -> int:
    if end < start:
        return -walked_between(end, start)
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += plainly_business_day(day)
    return count


def every_day(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


def test_each_day_of_five_years_is_a_business_day_exactly_when_the_rule_says():
    days = list(every_day(D(2024, 1, 1), D(2028, 12, 31)))  # 2024 and 2028 are leap years
    assert [is_business_day(day) for day in days] == [plainly_business_day(d) for d in days]
    assert not is_business_day(D(2026, 9, 15))  # Independence Day, a Tuesday
    assert not is_business_day(D(2026, 1, 1)) and not is_business_day(D(2026, 12, 25))
    assert not is_business_day(D(2026, 9, 12))  # a Saturday
    assert is_business_day(D(2026, 9, 16))
    assert is_business_day(D(2024, 2, 29))  # a Thursday in a leap year


def test_counting_between_any_two_days_agrees_with_walking_through_them():
    rng = random.Random(20261128)
    first = D(2023, 12, 1)
    pairs = [
        (D(2026, 9, 11), D(2026, 9, 16)),  # a weekend and 15 September between
        (D(2026, 12, 23), D(2027, 1, 4)),  # Christmas and New Year, across the year end
        (D(2026, 12, 31), D(2027, 1, 1)),
        (D(2027, 1, 1), D(2026, 12, 31)),  # backwards over the year end
        (D(2024, 2, 28), D(2024, 3, 1)),  # 29 February
        (D(2025, 6, 6), D(2025, 6, 6)),  # the same day
        (D(2024, 1, 1), D(2028, 12, 31)),  # five whole years
        (D(2028, 12, 31), D(2024, 1, 1)),
    ]
    for _ in range(400):
        start = first + datetime.timedelta(days=rng.randrange(5 * 366))
        pairs.append((start, start + datetime.timedelta(days=rng.randrange(-120, 500))))
    for start, end in pairs:
        assert business_days_between(start, end) == walked_between(start, end), (start, end)


@pytest.mark.parametrize("days", [-3, 0, 1, 2, 5, 15, 20, 60, 250, 600])
def test_adding_business_days_agrees_with_walking_forward(days):
    starts = [D(2026, 9, 11), D(2026, 9, 12), D(2026, 12, 24), D(2026, 12, 31), D(2024, 2, 28)]
    rng = random.Random(days)
    starts += [D(2024, 1, 1) + datetime.timedelta(days=rng.randrange(5 * 366)) for _ in range(60)]
    for start in starts:
        assert add_business_days(start, days) == walked_add(start, days), (start, days)


def test_adding_then_counting_gives_the_days_back():
    for start in every_day(D(2026, 11, 1), D(2027, 2, 28)):
        for days in (1, 7, 15, 30):
            due = add_business_days(start, days)
            assert is_business_day(due)
            assert business_days_between(start, due) == days
            assert business_days_between(due, start) == -days

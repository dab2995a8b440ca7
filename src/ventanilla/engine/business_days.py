"""Business days (días hábiles) in Guatemala: no weekends, no public holidays.

Each year's calendar is worked out once per process: the number of business days from
1 January up to every date of the year. Counting business days between two dates is then two
lookups (plus the totals of the whole years between them), and adding business days a
binary search, instead of a walk through the days (the queue works out 50 deadlines a page).
"""

from __future__ import annotations

import calendar
import datetime
from bisect import bisect_left
from functools import lru_cache
from typing import NamedTuple

import holidays


@lru_cache(maxsize=32)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GT", years=year, language="es")


class _Year(NamedTuple):
    first: int  # the proleptic ordinal of 1 January
    counts: tuple[int, ...]  # counts[i]: business days among the year's first i days


@lru_cache(maxsize=64)
def _year(year: int) -> _Year:
    first = datetime.date(year, 1, 1)
    public_holidays, counts, count = _holidays(year), [0], 0
    for offset in range(366 if calendar.isleap(year) else 365):
        day = first + datetime.timedelta(days=offset)
        if day.weekday() < 5 and day not in public_holidays:
            count += 1
        counts.append(count)
    return _Year(first.toordinal(), tuple(counts))


def _rank(day: datetime.date) -> int:
    """Business days from 1 January of the day's year up to and including the day."""
    year = _year(day.year)
    return year.counts[day.toordinal() - year.first + 1]


def is_business_day(day: datetime.date) -> bool:
    year = _year(day.year)
    index = day.toordinal() - year.first
    return year.counts[index + 1] > year.counts[index]


def add_business_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` business days after ``start`` (``start`` itself does not count)."""
    if days <= 0:
        return start
    number, target = start.year, _rank(start) + days
    while True:
        year = _year(number)
        if target <= year.counts[-1]:
            # The first day of the year whose count reaches the target is a business day.
            return datetime.date.fromordinal(year.first + bisect_left(year.counts, target) - 1)
        target -= year.counts[-1]
        number += 1


def business_days_between(start: datetime.date, end: datetime.date) -> int:
    """Business days after ``start`` up to and including ``end`` (negative if end < start)."""
    if end < start:
        return -business_days_between(end, start)
    whole_years = sum(_year(number).counts[-1] for number in range(start.year, end.year))
    return whole_years + _rank(end) - _rank(start)

"""Today's date for deadlines, in one place so that tests can control it."""

import datetime

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()

"""Background jobs of the identity app (Django Tasks API; `ventanilla worker` runs them)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from ventanilla.identity.registry import RegistryAnswer, registry_from_settings

# While the registry is down, ask again after 1, 2, 5, 15 and 30 minutes, then every hour
# for two days; after that an official can confirm the person at a counter (level 3).
RETRY_DELAYS_MINUTES = (1, 2, 5, 15, 30) + (60,) * 48


def retry_delay(attempt: int) -> datetime.timedelta | None:
    """How long to wait after a failed attempt number ``attempt`` (1-based); None to stop."""
    if attempt > len(RETRY_DELAYS_MINUTES):
        return None
    return datetime.timedelta(minutes=RETRY_DELAYS_MINUTES[attempt - 1])


@task()
def confirm_identity(user_id: int, attempt: int = 1) -> str:
    """Check an account with the national registry; while the registry cannot answer, queue
    the next attempt for later."""
    from ventanilla.identity.actions import confirm_identity_with_registry
    from ventanilla.identity.models import AssuranceLevel, User

    user = User.objects.filter(pk=user_id).first()
    if user is None or user.assurance_level >= AssuranceLevel.REGISTRY:
        return "skipped"
    answer = confirm_identity_with_registry(user, registry=registry_from_settings())
    if answer is RegistryAnswer.UNAVAILABLE and (delay := retry_delay(attempt)) is not None:
        confirm_identity.using(run_after=timezone.now() + delay).enqueue(user_id, attempt + 1)
    return answer.value

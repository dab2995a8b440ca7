"""Background jobs of representation (Django Tasks API; `ventanilla worker` runs them)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from ventanilla.identity.registry import RegistryAnswer, registry_from_settings
from ventanilla.identity.tasks import retry_delay  # the account check's patience: two days


@task()
def check_parenthood(representation_id: int, attempt: int = 1) -> str:
    """Ask the registry about a mother's or father's request; while the registry cannot
    answer, queue the next attempt for later. After two days of silence the request stays
    pending and the page sends the person to a counter."""
    from ventanilla.representation.actions import confirm_parenthood_with_registry
    from ventanilla.representation.models import Representation, Status

    representation = (
        Representation.objects.select_related("representative", "represented")
        .filter(pk=representation_id)
        .first()
    )
    if (
        representation is None
        or representation.status != Status.PENDING
        or not representation.is_parent
    ):
        return "skipped"
    answer = confirm_parenthood_with_registry(representation, registry=registry_from_settings())
    if answer is RegistryAnswer.UNAVAILABLE and (delay := retry_delay(attempt)) is not None:
        check_parenthood.using(run_after=timezone.now() + delay).enqueue(
            representation_id, attempt + 1
        )
    return answer.value


@task()
def end_adult_representations() -> int:
    """End the representations of minors who turned 18 (run it daily)."""
    from ventanilla.representation.actions import end_representations_of_adults

    return end_representations_of_adults()

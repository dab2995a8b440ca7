"""On PostgreSQL, where requests really run at once: claims and submissions under load."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from tests.cases.conftest import SOLICITUD
from ventanilla.cases import actions
from ventanilla.cases.models import Case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks under real concurrency need PostgreSQL (CI runs the suite on both)",
    ),
]


def in_thread(function):
    def run(*args):
        try:
            return function(*args)
        finally:
            connections.close_all()

    return run


def test_two_officials_claim_the_same_case_at_once_and_one_gets_it(
    certification, citizen, reviewers
):
    case = actions.start_case(certification, applicant=citizen, actor=citizen)
    actions.complete_task(case.pk, "solicitud", SOLICITUD, actor=citizen)
    barrier = threading.Barrier(2)

    @in_thread
    def claim(official):
        barrier.wait()
        try:
            actions.claim(case.pk, official)
            return "claimed"
        except actions.AlreadyClaimed:
            return "refused"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(claim, reviewers))
    assert outcomes == ["claimed", "refused"]
    assert Case.objects.get(pk=case.pk).assignee in reviewers


def test_200_concurrent_submissions_make_200_cases_with_distinct_numbers(certification, citizen):
    drafts = [
        actions.start_case(certification, applicant=citizen, actor=citizen).pk for _ in range(200)
    ]

    @in_thread
    def submit(pk):
        return actions.complete_task(pk, "solicitud", SOLICITUD, actor=citizen).tracking_number

    with ThreadPoolExecutor(20) as pool:
        numbers = list(pool.map(submit, drafts))
    assert len(set(numbers)) == 200
    assert Case.objects.filter(pk__in=drafts, tracking_number__isnull=False).count() == 200
    suffixes = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert suffixes == list(range(suffixes[0], suffixes[0] + 200))  # no gap, no duplicate


def test_a_double_clicked_submit_makes_one_submission(certification, citizen):
    pk = actions.start_case(certification, applicant=citizen, actor=citizen).pk
    barrier = threading.Barrier(2)

    @in_thread
    def submit(_):
        barrier.wait()
        try:
            return actions.complete_task(pk, "solicitud", SOLICITUD, actor=citizen).tracking_number
        except actions.CaseError:
            return None

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(submit, range(2)))
    assert sum(result is not None for result in results) == 1

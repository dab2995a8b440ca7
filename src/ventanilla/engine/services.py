"""The named services a diagram's service tasks may call, and nothing else.

A service task names its operation (``<spiffworkflow:serviceTaskOperator id="…">``) and
passes parameters evaluated in the sandbox; the function gets them as keyword arguments and
returns something JSON can hold, which lands in the task's result variable. ``ventanilla
procedures check`` refuses a diagram that names a service not registered here. Later features
(issuing a document, notifying) register theirs with ``@service``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections.abc import Callable

SERVICES: dict[str, Callable[..., object]] = {}

# The case whose step is running, for services about its applicant (set by ``running_for``).
_CURRENT_CASE: contextvars.ContextVar = contextvars.ContextVar("current_case", default=None)


@contextlib.contextmanager
def running_for(case):
    """Run engine steps on behalf of this case: services may ask ``current_case()``."""
    token = _CURRENT_CASE.set(case)
    try:
        yield
    finally:
        _CURRENT_CASE.reset(token)


def current_case():
    case = _CURRENT_CASE.get()
    if case is None:
        raise ServiceFailed("this service needs a case, and none is running")
    return case


class ServiceFailed(Exception):
    """A service task failed; the message says which and why (SpiffWorkflow 3.2 would
    otherwise hide it behind a NameError)."""


def service(name: str):
    def register(function):
        SERVICES[name] = function
        return function

    return register


def call(name: str, **params):
    if name not in SERVICES:
        raise ServiceFailed(f"unknown service {name!r}")
    try:
        return SERVICES[name](**params)
    except ServiceFailed:
        raise
    except Exception as error:
        raise ServiceFailed(f"service {name!r} failed: {error}") from error


@service("plazo_habil")
def business_deadline(dias: int, desde: str | None = None) -> str:
    """The date ``dias`` business days after ``desde`` (ISO date; today in the site's time
    zone by default), skipping weekends and Guatemala's public holidays."""
    from ventanilla.cases import clock  # the one "today" deadlines use (tests control it)
    from ventanilla.engine.business_days import add_business_days

    start = datetime.date.fromisoformat(desde) if desde else clock.today()
    return add_business_days(start, int(dias)).isoformat()

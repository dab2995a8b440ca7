"""pyHanko's synchronous calls wrap ``asyncio.run``, which refuses to start when an event loop
is already running in the thread (an async view, or Playwright's synchronous API in the same
test process). Such calls then run on a short-lived worker thread instead."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor


def outside_event_loop(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return function(*args, **kwargs)  # the usual case: no loop here
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(function, *args, **kwargs).result()

    return wrapper

"""Signing and validating also work where an event loop is already running (an async view,
or Playwright's synchronous API earlier in the same test process): pyHanko's own
``asyncio.run`` would refuse there."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from ventanilla.documents import rendering, signing, validation

from .conftest import document_fields


def test_signing_and_validating_inside_a_running_event_loop(demo_pki):
    async def inside_a_loop():
        asyncio.get_running_loop()  # there is one
        signed = signing.sign_pdf(rendering.render_pdf("certification", document_fields()))
        return validation.validate_pdf(signed)

    # A thread of its own: this test's process may already run a loop (Playwright's tests).
    with ThreadPoolExecutor(max_workers=1) as pool:
        checked = pool.submit(asyncio.run, inside_a_loop()).result()
    assert checked.ok, checked.reasons

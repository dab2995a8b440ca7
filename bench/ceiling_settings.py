"""The platform's own settings and middleware, with a URL conf of one trivial view: the
framework's ceiling on this machine, served by the same gunicorn configuration."""

from ventanilla.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ceiling_urls"

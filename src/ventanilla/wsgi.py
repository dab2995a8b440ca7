import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
application = get_wsgi_application()
# Import every view now rather than on the first request, then keep the loaded Django out of
# the garbage collector's full passes: each took ~90 ms in a worker, about every 200 requests,
# and made the queue page's slowest requests (bench/results/queue_p99.md).
get_resolver().url_patterns  # noqa: B018
gc.freeze()

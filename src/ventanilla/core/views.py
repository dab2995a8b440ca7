from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ventanilla.catalog import queries
from ventanilla.catalog.forms import ProcedureFilterForm
from ventanilla.catalog.models import Audience


@require_safe
def home(request):
    summary = queries.catalogue_summary()
    return render(
        request,
        "core/home.html",
        {
            "form": ProcedureFilterForm(),
            "prioritised": queries.prioritised_procedures(),
            "audiences": Audience.objects.all(),
            "summary": summary,
        },
    )


@never_cache
@require_safe
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def server_error(request):
    # Kept static: the error may come from the database or a template.
    return HttpResponseServerError(loader.get_template("500.html").render())

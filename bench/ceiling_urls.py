from django.http import HttpResponse
from django.urls import path


def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("", minimal), path("salud/", minimal)]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepresentationConfig(AppConfig):
    name = "ventanilla.representation"
    label = "representation"
    verbose_name = _("Representación de personas menores de edad")

# Guatemala writes numbers as 1,234.56 (and money as Q1,234.56), unlike Spain.
# Django's Spanish formats use a decimal comma, so they are overridden here.
from django.conf.locale.es.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

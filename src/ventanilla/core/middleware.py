from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Spanish unless the person chose another language with the switcher.

    Django's LocaleMiddleware follows the browser's Accept-Language, which would show
    English to anyone whose phone is set to English; the service speaks Spanish first
    and offers English as a choice, kept in a cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        translation.deactivate()
        return response

"""The review UI's own gettext catalogue (French and English), chosen per staff member.

Catalogues are the Babel library's: `.po` sources under translations/ compiled to `.mo` with
`pybabel compile -d kcheck/review_ui/translations -D review` and committed, so neither the
build nor the start-up needs a compile step. The catalogue is loaded per request from the staff
member's preference, without touching any app-wide Flask-Babel state other parts may use.
"""

from __future__ import annotations

import functools
import math
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_percent
from babel.support import NullTranslations, Translations
from flask import g, request

LOCALES = ("en", "fr")
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
DIRECTORY = Path(__file__).parent / "translations"
DOMAIN = "review"


@functools.cache
def catalogue(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()  # msgids are the English texts
    return Translations.load(str(DIRECTORY), [locale], DOMAIN)


def page_texts() -> Texts:
    """The request's texts, dates and numbers in the staff member's language (else the
    browser's best match), worked out once per request: a case page has about a hundred."""
    staff = g.get("staff")
    known = g.get("review_texts")
    if known is not None and known[0] is staff:
        return known[1]
    if staff is not None and staff.locale in LOCALES:
        locale = staff.locale
    else:
        locale = request.accept_languages.best_match(LOCALES) or "en"
    texts = Texts(locale)
    g.review_texts = (staff, texts)
    return texts


class Texts:
    """The review catalogue's texts, and dates and percentages, in one language."""

    def __init__(self, locale: str):
        self.locale = locale
        self.catalogue = catalogue(locale)
        self.babel = _babel_locale(locale)

    def gettext(self, message: str, **values) -> str:
        text = self.catalogue.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values) -> str:
        text = self.catalogue.ngettext(singular, plural, n)
        return text % dict(values, n=n)

    def when(self, moment: datetime | None, zone: str) -> str:
        """A date and time in the business calendar's time zone."""
        if moment is None:
            return ""
        return format_datetime(moment, "dd.MM.yyyy HH:mm", tzinfo=ZoneInfo(zone),
                               locale=self.babel)

    def percent(self, share: float | None) -> str:
        """A share as a percentage to two significant digits ("1.2%", "0.041%"; "1,2 %" in
        French)."""
        if share is None:
            return ""
        if share > 0:
            share = round(share, 1 - math.floor(math.log10(share)))
        return format_percent(share, locale=self.babel, decimal_quantization=False)


@functools.cache
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)


def duration(delta: timedelta) -> str:
    """Hours and minutes: "1 h 05 min"; callers say whether it is late or left."""
    minutes = int(abs(delta).total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"

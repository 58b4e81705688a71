"""SMS one-time code rules: 6 digits, 10 minutes, resend spacing, failure and lock limits."""

from __future__ import annotations

import secrets
from datetime import timedelta

CODE_TTL = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=30)
MAX_SENDS_PER_CASE = 5
MAX_FAILURES = 5
MAX_LOCKS_PER_CASE = 3
MAX_SENDS_PER_NUMBER_PER_HOUR = 5


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def sms_text(code: str, locale: str, host: str) -> str:
    texts = {
        "en": "Your kcheck verification code: {code}. It expires in 10 minutes.",
        "fr": "Votre code de vérification kcheck : {code}. Il expire dans 10 minutes.",
        "de": "Ihr kcheck-Bestätigungscode: {code}. Er läuft in 10 Minuten ab.",
        "it": "Il tuo codice di verifica kcheck: {code}. Scade tra 10 minuti.",
    }
    # The last line lets browsers offer the code automatically (WebOTP).
    return texts.get(locale, texts["en"]).format(code=code) + f"\n\n@{host} #{code}"

"""SMS one-time code rules: 6 digits, 10 minutes, resend spacing, and the guess budget."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

CODE_TTL = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=30)
MAX_SENDS_PER_CASE = 5
MAX_SENDS_PER_NUMBER_PER_HOUR = 5
NUMBER_WINDOW = timedelta(hours=1)
# Wrong codes allowed for one number's challenge before it locks (a new code then unlocks).
MAX_FAILURES = 5
# Wrong codes allowed for a case over its whole life: every number, every code, every link
# the requester resends. With 10^6 codes, 10 guesses succeed with probability 10^-5 (NIST SP
# 800-63B allows up to 100 per authenticator); past it a person must be looked at by staff.
MAX_FAILED_GUESSES_PER_CASE = 10


@dataclass(frozen=True)
class GuessBudget:
    """Failed guesses so far: on the current challenge and on the whole case."""

    challenge_failures: int
    case_failures: int

    def after_failure(self) -> GuessBudget:
        return GuessBudget(self.challenge_failures + 1, self.case_failures + 1)

    @property
    def case_exhausted(self) -> bool:
        """No more guesses for this case, whatever number or link: it goes to review."""
        return self.case_failures >= MAX_FAILED_GUESSES_PER_CASE

    @property
    def challenge_locked(self) -> bool:
        return self.challenge_failures >= MAX_FAILURES

    @property
    def attempts_left(self) -> int:
        return max(0, min(MAX_FAILURES - self.challenge_failures,
                          MAX_FAILED_GUESSES_PER_CASE - self.case_failures))


class CodeRefused(Exception):
    """A send or a guess the rules refuse; `code` names the rule, `retry_after_s` when waiting
    helps."""

    def __init__(self, code: str, retry_after_s: int | None = None):
        super().__init__(code)
        self.code = code
        self.retry_after_s = retry_after_s


def check_send(*, case_sends: int, budget: GuessBudget, last_sent_at: datetime | None,
               sends_to_number: int, now: datetime) -> None:
    """May a code be sent now? `last_sent_at` is the open challenge's last send, if any;
    `sends_to_number` counts the sends to this number within NUMBER_WINDOW, any case."""
    if case_sends >= MAX_SENDS_PER_CASE or budget.case_exhausted:
        raise CodeRefused("sms_limit")
    if last_sent_at is not None and now - last_sent_at < RESEND_AFTER:
        raise CodeRefused("rate_limited",
                          math.ceil((RESEND_AFTER - (now - last_sent_at)).total_seconds()))
    if sends_to_number >= MAX_SENDS_PER_NUMBER_PER_HOUR:
        raise CodeRefused("rate_limited", int(NUMBER_WINDOW.total_seconds()))


def check_guess_allowed(*, locked: bool, expires_at: datetime, now: datetime) -> None:
    """A guess is only weighed on an unlocked, unexpired challenge."""
    if locked:
        raise CodeRefused("code_locked")
    if expires_at <= now:
        raise CodeRefused("code_expired")


def failure_outcome(budget: GuessBudget) -> str:
    """What a wrong guess leads to, given the budget after it: the case goes to review when
    its budget is spent, the challenge locks when its own is, else the person tries again."""
    if budget.case_exhausted:
        return "verification_locked"
    if budget.challenge_locked:
        return "code_locked"
    return "wrong_code"


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

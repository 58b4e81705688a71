"""SMS port: Twilio in production, an outbox file under var/ in development."""

from __future__ import annotations

import fcntl
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from kcheck.clock import SystemClock


class SmsError(Exception):
    """The message could not be handed to the SMS provider."""


class SmsSender(Protocol):
    def send(self, to_e164: str, body: str) -> None: ...


class OutboxSms:
    """Development backend: one JSON line per message, read back with `kcheck sms outbox`.
    The file holds numbers and codes, so messages older than 72 hours are dropped at each send,
    as the retention promise wants for every copy of personal data."""

    KEEP = timedelta(hours=72)

    def __init__(self, path: Path, clock=None):
        self.path = Path(path)
        self.clock = clock or SystemClock()

    def send(self, to_e164: str, body: str) -> None:
        now = self.clock.now()
        line = json.dumps({"at": now.isoformat(), "to": to_e164, "body": body})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+", encoding="utf-8") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                fh.seek(0)
                kept = [old for old in fh if old.strip()
                        and datetime.fromisoformat(json.loads(old)["at"]) > now - self.KEEP]
                fh.seek(0)
                fh.truncate()
                fh.writelines(kept + [line + "\n"])
        except (OSError, ValueError, KeyError) as exc:
            raise SmsError("outbox not writable") from exc

    def messages(self) -> list[dict]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_SH)  # not halfway through a sender's rewrite
            return [json.loads(line) for line in fh if line.strip()]


class TwilioSms:
    """Twilio Messaging through the official client; its exceptions stop here."""

    def __init__(self, client, sender: str):
        self.client = client
        self.sender = sender

    @classmethod
    def from_settings(cls, settings, http_client=None) -> TwilioSms:
        from twilio.rest import Client

        client = Client(settings.twilio_account_sid, settings.twilio_auth_token,
                        http_client=http_client)
        return cls(client, settings.twilio_from)

    def send(self, to_e164: str, body: str) -> None:
        from twilio.base.exceptions import TwilioException

        kwargs = {"to": to_e164, "body": body}
        if self.sender.startswith("MG"):
            kwargs["messaging_service_sid"] = self.sender
        else:
            kwargs["from_"] = self.sender
        try:
            self.client.messages.create(**kwargs)
        except TwilioException as exc:
            # The provider's message may echo the number: keep only the class name.
            raise SmsError(f"twilio refused the message ({type(exc).__name__})") from exc
        except OSError as exc:
            raise SmsError("twilio unreachable") from exc


def sms_from_settings(settings, clock=None) -> SmsSender:
    if settings.sms_backend == "twilio":
        return TwilioSms.from_settings(settings)
    return OutboxSms(settings.sms_outbox_path, clock)

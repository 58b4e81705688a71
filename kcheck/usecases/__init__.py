"""The application layer: one function per thing a person, a requester, a reviewer or the
system does to a case. Each takes the services and ids, runs one unit of work and returns a
result or raises `Refused`; views, jobs and commands only translate that for their audience."""

from __future__ import annotations


class Refused(Exception):
    """The use case said no. `code` is a stable problem code (the API's catalogue); `extra`
    are the fields the answer carries (`retry_after_s` also becomes a Retry-After header)."""

    def __init__(self, code: str, detail: str | None = None, **extra):
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.extra = extra

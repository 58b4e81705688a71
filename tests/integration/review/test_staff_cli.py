"""`kcheck staff create | disable | reset` through the real command line group."""

from __future__ import annotations

import re

import pyotp
from click.testing import CliRunner

from kcheck.cli import main
from tests.integration.review.conftest import Reviewer
from tests.integration.review.test_security import cli_env


def credentials(output: str) -> tuple[str, str]:
    password = re.search(r"password:\s+(\S+)", output).group(1)
    secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", output).group(1)
    return password, secret


def test_create_prints_the_credentials_once_and_they_work(settings, app, clock):
    runner = CliRunner()
    created = runner.invoke(main, ["staff", "create", "--email", "Admin@Example.test", "--role",
                                   "admin", "--dev"], env=cli_env(settings))
    assert created.exit_code == 0, created.output
    password, secret = credentials(created.output)
    assert "otpauth://totp/kcheck:admin%40example.test?secret=" + secret in created.output
    assert len(created.output.splitlines()) <= 6  # short enough for `make run`'s banner
    from kcheck.staff import Enrolment

    member = Reviewer(app, clock, Enrolment("?", "admin@example.test", "admin", password, secret))
    assert member.login(code=pyotp.TOTP(secret).at(clock.now())).status_code == 302
    again = runner.invoke(main, ["staff", "create", "--email", "admin@example.test", "--role",
                                 "admin"], env=cli_env(settings))
    assert again.exit_code == 1 and "exists already" in again.output


def test_reset_replaces_both_factors_and_disable_locks_out(settings, app, clock):
    runner = CliRunner()
    env = cli_env(settings)
    created = runner.invoke(main, ["staff", "create", "--email", "r@example.test", "--role",
                                   "reviewer"], env=env)
    old_password, old_secret = credentials(created.output)
    assert "scan with an authenticator app" in created.output  # QR code outside --dev
    reset = runner.invoke(main, ["staff", "reset", "r@example.test"], env=env)
    assert reset.exit_code == 0, reset.output
    password, secret = credentials(reset.output)
    assert password != old_password and secret != old_secret
    from kcheck.staff import Enrolment

    old = Reviewer(app, clock, Enrolment("?", "r@example.test", "reviewer", old_password,
                                         old_secret))
    assert old.login().status_code == 401
    new = Reviewer(app, clock, Enrolment("?", "r@example.test", "reviewer", password, secret))
    clock.advance(seconds=30)
    assert new.login().status_code == 302
    assert runner.invoke(main, ["staff", "disable", "r@example.test"], env=env).exit_code == 0
    assert new.get("/review/").status_code == 302  # signed out at once
    unknown = runner.invoke(main, ["staff", "disable", "nobody@example.test"], env=env)
    assert unknown.exit_code == 1


"""`kcheck staff`: create, disable and reset support staff accounts for the review UI."""

from __future__ import annotations

import click


def _services():
    from kcheck.commands import load_services

    return load_services()


def _show(enrolment, dev: bool) -> None:
    """The credentials, once: a generated password and the TOTP enrolment (QR code + URI)."""
    click.echo(f"staff account {enrolment.email} ({enrolment.role}), id {enrolment.staff_id}")
    click.echo("shown once; hand over securely:")
    click.echo(f"  password:    {enrolment.password}")
    click.echo(f"  TOTP secret: {enrolment.totp_secret}")
    click.echo(f"  TOTP URI:    {enrolment.totp_uri}")
    if not dev:
        import segno

        click.echo("scan with an authenticator app:")
        segno.make(enrolment.totp_uri, error="m").terminal(compact=True)


@click.group()
def staff() -> None:
    """Support staff accounts of the review UI (password + mandatory TOTP)."""


@staff.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["reviewer", "admin"]))
@click.option("--locale", default=None, type=click.Choice(["en", "fr"]),
              help="Language of the review UI (default: the browser's, until they choose).")
@click.option("--dev", is_flag=True, help="Development account: short output, no QR code; "
              "refused in production.")
def create(email: str, role: str, locale: str | None, dev: bool) -> None:
    """Create an account; prints its password and TOTP enrolment once."""
    from kcheck import audit
    from kcheck import staff as accounts

    svc = _services()
    if dev and svc.settings.production:
        raise click.ClickException("--dev accounts are refused in production")
    try:
        with svc.transaction() as session:
            enrolment = accounts.create(session, email, role, svc.now(),
                                        svc.settings.master_key, locale)
            audit.record(session, svc.now(), "system", None, "staff.created",
                         staff_id=enrolment.staff_id, role=role)
    except accounts.StaffError as exc:
        raise click.ClickException(str(exc)) from None
    _show(enrolment, dev)


def _find(session, email: str):
    from kcheck import staff as accounts

    found = accounts.find(session, email)
    if found is None:
        raise click.ClickException("no staff account with this e-mail")
    return found


@staff.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable an account at once; its sessions end."""
    from kcheck import audit
    from kcheck import staff as accounts

    svc = _services()
    with svc.transaction() as session:
        member = _find(session, email)
        accounts.disable(session, member, svc.now())
        audit.record(session, svc.now(), "system", None, "staff.disabled", staff_id=member.id)
    click.echo(f"disabled {member.email}")


@staff.command("reset")
@click.argument("email")
def reset(email: str) -> None:
    """New password and new TOTP enrolment; sessions end, the lock is lifted."""
    from kcheck import audit
    from kcheck import staff as accounts

    svc = _services()
    with svc.transaction() as session:
        member = _find(session, email)
        enrolment = accounts.reset(session, member, svc.now(), svc.settings.master_key)
        audit.record(session, svc.now(), "system", None, "staff.reset", staff_id=member.id)
    _show(enrolment, dev=False)

"""Operator commands for the deletion promise and the webhooks: `kcheck purge`,
`kcheck retention audit`, `kcheck webhooks redeliver|rotate-secret|secret`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click


def _parse_as_of(_ctx, _param, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            "expected an ISO-8601 date-time, e.g. 2026-11-28T09:00:00Z") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


AS_OF = click.option("--as-of", callback=_parse_as_of, metavar="ISO-8601",
                     help="Act as if it were this moment (UTC unless an offset is given).")


def _services(as_of: datetime | None = None):
    from kcheck.clock import FrozenClock
    from kcheck.commands import load_services

    svc = load_services()
    if as_of is not None:
        svc.clock = FrozenClock(as_of)
    return svc


@click.command()
@AS_OF
@click.option("--dry-run", is_flag=True, help="List the due cases; delete nothing.")
def purge(as_of: datetime | None, dry_run: bool) -> None:
    """Delete the personal data of every case past its deadline (what the scheduler runs each
    minute). Exits 1 if storage refused some blobs: those cases stay due and are retried."""
    from kcheck import retention

    svc = _services(as_of)
    now = svc.now()
    with svc.sessions() as session:
        total = retention.count_due(session, now)
        requester_due = retention.requester_due_cases(session, now)
    if dry_run:
        for case_id, due in requester_due:
            click.echo(f"would delete the requester's data of case {case_id} "
                       f"(due {due.isoformat()})")
        for case_id, due in retention.due_cases(svc.sessions, now):
            click.echo(f"would purge case {case_id} (due {due.isoformat()})")
        click.echo(f"{total} case(s) due as of {now.isoformat()}; nothing deleted (dry run)")
        return
    if sys.stdout.isatty() and total:
        with click.progressbar(length=total, label="purging") as bar:
            totals = retention.purge_due_cases(svc, now, on_case=lambda *_: bar.update(1))
    else:
        totals = retention.purge_due_cases(svc, now)
    click.echo(f"purged {totals.cases} case(s): {totals.blobs} blob(s) and {totals.fields} "
               f"field(s) deleted")
    if totals.requester:
        click.echo(f"deleted the requester's data of {totals.requester} case(s) "
                   f"({totals.requester_fields} field(s)); those cases go on")
    if totals.skipped:
        click.echo(f"{totals.skipped} case(s) left to another purge running now")
    if totals.pending:
        click.echo(f"{len(totals.pending)} case(s) stay pending (storage refused some blobs): "
                   + " ".join(totals.pending), err=True)
        sys.exit(1)


@click.group("retention")
def retention_group() -> None:
    """Prove the deletion promise."""


@retention_group.command("audit")
@AS_OF
def retention_audit(as_of: datetime | None) -> None:
    """List every personal column value or blob past its deadline, and every blob with no case
    or of a purged case (names and keys only, never the data). Exits 1 if any is found."""
    from kcheck.retention_audit import find_leftovers

    svc = _services(as_of)
    now = svc.now()
    findings = find_leftovers(svc, now)
    for finding in findings:
        click.echo(finding.line())
    if findings:
        click.echo(f"{len(findings)} item(s) of personal data outlived their deadline "
                   f"(as of {now.isoformat()})", err=True)
        sys.exit(1)
    click.echo(f"retention audit clean as of {now.isoformat()}: no personal data past its "
               f"deadline, no blob without a live case")


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhook deliveries and signing secrets."""


@webhooks_group.command("redeliver")
@click.argument("event_id")
@click.option("--enable-endpoint", is_flag=True,
              help="Re-enable the client's endpoint if it was disabled by a 410 answer.")
def webhooks_redeliver(event_id: str, enable_endpoint: bool) -> None:
    """Send one event again now (receivers dedupe on webhook-id)."""
    from kcheck.usecases.webhooks import RedeliveryRefused, redeliver

    try:
        queued = redeliver(_services(), event_id, "system", None, enable=enable_endpoint,
                           via="cli")
    except RedeliveryRefused as exc:
        raise click.ClickException(str(exc)) from None
    if queued:
        click.echo(f"event {event_id} queued for delivery")
    else:
        click.echo(f"event {event_id} is due; the dispatcher will send it (queue unavailable now)")


def _client(session, client_id: str):
    from kcheck.models import ApiClient

    client = session.get(ApiClient, client_id)
    if client is None:
        raise click.ClickException("no such API client")
    return client


@webhooks_group.command("rotate-secret")
@click.argument("client_id")
def webhooks_rotate_secret(client_id: str) -> None:
    """New signing secret, printed once as the last line; the previous one stays valid (both
    signatures are sent) for 24 hours."""
    from kcheck import audit, webhook_signing

    svc = _services()
    now = svc.now()
    with svc.transaction() as session:
        secret = webhook_signing.rotate_secret(session, _client(session, client_id), now,
                                        svc.settings.master_key)
        audit.record(session, now, "system", None, "webhook.secret_rotated", None,
                     api_client_id=client_id, via="cli")
    until = (now + webhook_signing.ROTATION_OVERLAP).isoformat()
    click.echo(f"new signing secret for {client_id}; the previous one is also used until {until}")
    click.echo(secret)


@webhooks_group.command("secret")
@click.argument("client_id")
def webhooks_secret(client_id: str) -> None:
    """Print the current signing secret, to configure verification on the receiving side."""
    from kcheck import apikeys

    svc = _services()
    with svc.sessions() as session:
        secrets = apikeys.webhook_secrets(_client(session, client_id), svc.settings.master_key,
                                          svc.now())
    if not secrets:
        raise click.ClickException("this client has no signing secret; rotate-secret makes one")
    click.echo(secrets[0])


def register(main: click.Group) -> None:
    for command in (purge, retention_group, webhooks_group):
        main.add_command(command)

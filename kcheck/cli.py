"""`kcheck` command line: serve, work, schedule, migrate, and the operator's tools."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kcheck.commands import load_services, load_settings
from kcheck.domain.cases import SLOTS


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """kcheck: identity verification with photo checks, review and 72-hour deletion."""


@main.command()
@click.option("--bind", default=None, help="host:port (default 0.0.0.0:$PORT or 127.0.0.1:8000)")
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes")
@click.option("--threads", default=4, show_default=True,
              help="threads per worker for working requests (uploads overlap storage and "
                   "database waits); one more per request waiting for a verdict "
                   "(VERDICT_WAITERS)")
def serve(bind: str | None, workers: int, threads: int) -> None:
    """Serve the web app with gunicorn (Procfile `web`)."""
    import os

    from kcheck.app import create_app, warm_up

    settings = load_settings()
    app = create_app(settings)
    warm_up(app)
    bind = bind or (f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000")
    # A request held for a verdict holds a thread (gthread) but no database connection.
    run_gunicorn(app, bind, workers, threads + settings.verdict_waiters,
                 forwarded_allow_ips="*" if settings.trusted_proxies else "127.0.0.1")


def run_gunicorn(app, bind: str, workers: int, threads: int,
                 forwarded_allow_ips: str = "127.0.0.1") -> None:
    """Serve a WSGI app with kcheck's gunicorn settings (also the baseline of bench/intake.py,
    so both sides of that measure run on the same server settings)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 20)
            self.cfg.set("accesslog", None)  # the app logs each request without query strings
            self.cfg.set("forwarded_allow_ips", forwarded_allow_ips)
            # gunicorn's control socket has one default path per user: several servers on one
            # host would take it from each other. kcheck does not use it.
            self.cfg.set("control_socket_disable", True)

        def load(self):
            return app

    Server().run()


@main.command()
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker on the named queues (default: all). Procfile `worker`."""
    from kcheck.workers.process import run_worker

    run_worker(load_services(), list(queues) or None, burst=burst)


@main.command()
def scheduler() -> None:
    """Enqueue the periodic jobs (sweepers, purge, expiry). Procfile `scheduler`."""
    from kcheck.logs import configure_logging
    from kcheck.workers.process import run_scheduler

    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)
    run_scheduler(settings)


@main.command()
def migrate() -> None:
    """Apply database migrations up to the newest (Procfile `release`)."""
    from kcheck.db import upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    click.echo("database is up to date")


@main.command()
def dev() -> None:
    """Start everything locally on embedded defaults (what `make run` calls)."""
    from kcheck.devserver import run

    run()


@main.group()
def apikey() -> None:
    """Create, list and revoke API keys of requesting systems."""


@apikey.command("create")
@click.option("--name", required=True)
@click.option("--scopes", default="cases:write,cases:read", show_default=True)
def apikey_create(name: str, scopes: str) -> None:
    """Create a key; it is printed once, as the last line."""
    from kcheck import apikeys

    try:
        scope_list = apikeys.parse_scopes(scopes)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scopes") from None
    svc = load_services()
    with svc.transaction() as session:
        issued = apikeys.create(session, name[:100], scope_list, svc.now(), svc.settings.master_key)
        client_id = issued.client.id
    click.echo(f"created API client {client_id} ({name}) with scopes {','.join(scope_list)}")
    click.echo("the key below is shown once; store it now:")
    click.echo(issued.key)


@apikey.command("list")
def apikey_list() -> None:
    """List API clients (never their keys)."""
    from sqlalchemy import select

    from kcheck.models import ApiClient

    svc = load_services()
    with svc.sessions() as session:
        for c in session.scalars(select(ApiClient).order_by(ApiClient.created_at)):
            state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "active"
            click.echo(f"{c.id}  kck_{c.key_prefix}_…  {c.name}  [{c.scopes}]  {state}")


@apikey.command("revoke")
@click.argument("client_id")
def apikey_revoke(client_id: str) -> None:
    """Revoke a key at once."""
    from kcheck.models import ApiClient

    svc = load_services()
    with svc.transaction() as session:
        client = session.get(ApiClient, client_id)
        if client is None:
            raise click.ClickException("no such API client")
        client.revoked_at = client.revoked_at or svc.now()
    click.echo(f"revoked {client_id}")


@main.group()
def sms() -> None:
    """Development SMS outbox."""


@sms.command("outbox")
@click.option("--last", default=10, show_default=True)
def sms_outbox(last: int) -> None:
    """Print the last messages of the development outbox."""
    from kcheck.adapters.sms import OutboxSms

    settings = load_settings()
    if settings.sms_backend != "outbox":
        raise click.ClickException("SMS_BACKEND is not outbox")
    messages = OutboxSms(settings.sms_outbox_path).messages()[-last:]
    if not messages:
        click.echo(f"The SMS outbox is empty ({settings.sms_outbox_path}).")
    for message in messages:
        click.echo(f"{message['at']}  to {message['to']}: {message['body']}")


@main.command("check-image")
@click.option("--slot", required=True,
              type=click.Choice(SLOTS))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (the default).")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check_image(slot: str, as_json: bool, files: tuple[str, ...]) -> None:
    """Run the photo quality check on files as uploads (the intake's refusals, then the
    worker's check of its stored copy); prints one JSON object per file."""
    from kcheck import quality
    from kcheck.commands import report_per_file

    threshold = load_settings().quality_retake_confidence

    def analyse(data: bytes) -> dict:
        verdict = quality.check_upload(data, slot, threshold)
        return {"verdict": verdict.verdict, "reasons": list(verdict.reasons),
                "notes": verdict.to_json()["notes"], "metrics": verdict.metrics}

    report_per_file(files, analyse)


@main.group()
def storage() -> None:
    """Blob storage administration."""


@storage.command("init")
def storage_init() -> None:
    """Create the bucket if needed and set the lifecycle backstop (expiry after 4 days)."""
    from kcheck.adapters.storage import S3BlobStore

    settings = load_settings()
    if settings.storage_backend != "s3":
        Path(settings.storage_path).mkdir(parents=True, exist_ok=True)
        click.echo(f"local storage ready at {settings.storage_path}")
        return
    S3BlobStore.from_settings(settings).ensure_bucket(lifecycle_days=4)
    click.echo(f"bucket {settings.s3_bucket} ready; lifecycle: objects expire after 4 days")


@main.group("audit")
def audit_group() -> None:
    """The hash-chained audit trail."""


@audit_group.command("verify")
@click.option("--anchor", default=None, metavar="HASH",
              help="A head hash printed by an earlier run: detects rows removed since.")
def audit_verify(anchor: str | None) -> None:
    """Check the chain; exit 1 if any row was edited, inserted or deleted. Keep the printed
    head hash outside the database and pass it as --anchor next time."""
    from kcheck import audit

    svc = load_services()
    with svc.sessions() as session:
        problems = audit.verify(session, anchor)
        count, head = audit.head(session)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo(f"audit trail intact: {count} events, head {head}")


def _register_command_modules() -> None:
    """Commands that live next to their subsystem."""
    from kcheck.commands.demo import demo
    from kcheck.commands.docintel import read_mrz
    from kcheck.commands.retention import register as register_retention
    from kcheck.commands.staff import staff

    register_retention(main)
    for command in (demo, read_mrz, staff):
        main.add_command(command)


_register_command_modules()

"""`kcheck read-mrz`: read and validate the machine-readable zone of document photos."""

from __future__ import annotations

import click


@click.command("read-mrz")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (the default).")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def read_mrz(as_json: bool, files: tuple[str, ...]) -> None:
    """Find the MRZ (TD1, TD2, TD3, visas, French ID card, Russian internal passport) in each
    photo, whichever way up, and check every check digit; prints one JSON object per file:
    `valid` (every check digit passes), `checks` and `failed_checks` by name, and apart from
    them `plausibility` and `implausible` (dates that are no dates, unknown country codes),
    `corrected` (fields whose check passes only once a look-alike character the recogniser
    was unsure of is repaired, e.g. 0 for O), `rotation` (degrees the document lies turned
    clockwise). Exit 1 if a file could not be read."""
    from kcheck.commands import report_per_file
    from kcheck.docintel import read_mrz as read

    report_per_file(files, lambda data: read(data).to_json())

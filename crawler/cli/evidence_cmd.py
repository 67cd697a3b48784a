"""`presswatch evidence ITEM [--out FILE.warc.gz]` and `presswatch evidence verify`.

ITEM's records are listed, or with --out copied byte for byte (each record is one gzip
member, so the copy is itself a valid .warc.gz). `verify` recomputes the digests of every
record in every WARC file and checks that each index row points at the record and digest
it names, and that every item matched when stored (under retention) has records; any
failure is printed with its file and record (or item), and the exit code is 1. Bytes no
index row names (left by a killed crawl) are printed as warnings (crawler.store.evidence_check).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from crawler.cli.context import AppContext, pass_app
from crawler.errors import PresswatchError, UsageError


class EvidenceProblem(PresswatchError):
    """`evidence verify` found damaged, missing or mis-indexed records."""


class ItemOrVerify(click.Group):
    """`evidence verify` runs the subcommand; `evidence ITEM` exports an item's records."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands:
            return "export", self.commands["export"], args
        return super().resolve_command(ctx, args)


@click.group("evidence", cls=ItemOrVerify)
def evidence() -> None:
    """WARC evidence of matched items: `evidence ITEM [--out FILE.warc.gz]`, `evidence verify`."""


@evidence.command("export")
@click.argument("item", type=int)
@click.option("--out", "out", metavar="FILE.warc.gz", help="Write the item's records here.")
@pass_app
def export(app: AppContext, item: int, out: str | None) -> None:
    """List ITEM's WARC records, or copy them into FILE.warc.gz with --out."""
    from crawler.store import evidence as owner
    from crawler.store.warc import read_range

    settings = owner.EvidenceSettings.from_config(app.config())
    store = app.open_store()
    try:
        with store.connect() as connection:
            records = owner.records_of(connection, item)
    finally:
        store.close()
    if not records:
        raise UsageError(f"item {item} has no evidence (it matched no rule when it was crawled)")
    if out is None:
        for entry in records:
            ref = entry.ref
            click.echo(
                f"{entry.capture:>3} {ref.fetched_at:%Y-%m-%d %H:%M:%S}Z {ref.record_type:<9}"
                f" {ref.target_uri}  {ref.digest}  {ref.file}@{ref.offset}"
            )
        return
    target = Path(out)
    with target.open("wb") as handle:
        for entry in records:
            ref = entry.ref
            handle.write(read_range(settings.root, ref.file, ref.offset, ref.length))
    click.echo(f"wrote {len(records)} records of item {item} to {target}", err=True)


@evidence.command("verify")
@pass_app
def verify(app: AppContext) -> None:
    """Recompute every record's digests, check the index and that every matched item has
    evidence; exit 1 on any failure (bytes no index row names are warnings)."""
    from crawler.store import evidence as owner
    from crawler.store.evidence_check import add_missing, verify_evidence

    settings = owner.EvidenceSettings.from_config(app.config())
    store = app.open_store()
    try:
        with store.connect() as connection:
            records = owner.all_records(connection)
            missing = owner.missing_evidence(connection, settings) if settings.enabled else {}
    finally:
        store.close()
    verdict = verify_evidence(settings.root, records)
    add_missing(verdict, missing or {})
    for warning in verdict.warnings:
        click.echo(f"WARNING {warning}", err=True)
    for failure in verdict.failures:
        click.echo(f"FAILED {failure}", err=True)
    summary = f"{verdict.files} files, {verdict.records} indexed records"
    if verdict.failures:
        raise EvidenceProblem(f"{summary}: {len(verdict.failures)} problems")
    click.echo(f"ok: {summary}, every digest holds{_coverage(settings.enabled, missing)}")
    sys.stdout.flush()


def _coverage(enabled: bool, missing: dict[int, Any] | None) -> str:
    if not enabled:
        return " (matched items not checked: evidence is disabled)"
    if missing is None:
        return " (matched items not checked: nothing indexed yet)"
    return ", every matched item has evidence"


COMMANDS = [evidence]

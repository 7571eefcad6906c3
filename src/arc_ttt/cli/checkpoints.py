"""``arc-ttt checkpoints list|show|verify|prune``: look after a checkpoint store from the shell."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, TypeVar

import click

from arc_ttt.application import checkpoints as use
from arc_ttt.cli.invocation import global_options, run
from arc_ttt.cli.options import examples
from arc_ttt.cli.prompt import confirm, interactive
from arc_ttt.cli.tables import print_table
from arc_ttt.domain.checkpoint import VerificationReport
from arc_ttt.domain.checkpoint_policy import RetentionPolicy
from arc_ttt.domain.errors import InvalidCheckpointKeyError, InvalidStoreUrlError
from arc_ttt.ports.checkpoint_store import CheckpointStore

F = TypeVar("F", bound=Callable[..., Any])

EXAMPLES = examples(
    "examples:",
    "  arc-ttt checkpoints list runs/first/cache",
    "  arc-ttt checkpoints verify s3://bucket/prefix --endpoint-url http://localhost:9000",
    "  arc-ttt checkpoints prune runs/first/cache --keep-last 2 --dry-run",
    "  arc-ttt checkpoints prune runs/first/cache --keep-last 2 --yes",
)


@click.group(
    "checkpoints",
    short_help="list, show, verify or prune a checkpoint store",
    help="Look after a checkpoint store: a folder, file://PATH or s3://BUCKET/PREFIX.",
    epilog=EXAMPLES,
)
@global_options
def checkpoints_group() -> None:
    pass


def _store_options(f: F) -> F:
    """``STORE``, ``--endpoint-url`` and ``--json``, which every action takes."""
    f = click.option("--json", is_flag=True, help="print JSON on stdout")(f)
    f = click.option("--endpoint-url", metavar="URL", help="S3 endpoint (or AWS_ENDPOINT_URL)")(f)
    return click.argument("store", metavar="STORE")(f)


def _on_store(action: Callable[[CheckpointStore, SimpleNamespace], int]) -> Any:
    """The command body of ``action`` on the opened ``STORE``; a bad URL or key is a usage
    error."""

    def body(args: SimpleNamespace, container: Any) -> int:
        try:
            store = container.open_store(args.store, endpoint_url=args.endpoint_url, create=False)
            return action(store, args)
        except (InvalidStoreUrlError, InvalidCheckpointKeyError) as e:
            raise click.UsageError(str(e)) from e

    return body


KEY = click.option("--key", metavar="KEY", help="only this key (default: all)")
LIST, SHOW = "every key and version with its size and metadata", "one version: files, metadata"
VERIFY = "check every file against its manifest; exit 1 on damage"
PRUNE = "delete versions a retention policy does not keep"


@checkpoints_group.command("list", short_help=LIST, help=LIST, epilog=EXAMPLES)
@_store_options
@KEY
@global_options
@click.pass_context
def list_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, _on_store(list_versions), params)


@checkpoints_group.command("show", short_help=SHOW, help=SHOW, epilog=EXAMPLES)
@_store_options
@click.argument("key", metavar="KEY")
@click.option("--version", type=int, metavar="N", help="default: the newest")
@global_options
@click.pass_context
def show_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, _on_store(show_version), params)


@checkpoints_group.command("verify", short_help=VERIFY, help=VERIFY, epilog=EXAMPLES)
@_store_options
@KEY
@click.option("--version", type=int, metavar="N", help="only this version of --key")
@global_options
@click.pass_context
def verify_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, _on_store(verify_versions), params)


@checkpoints_group.command("prune", short_help=PRUNE, help=PRUNE, epilog=EXAMPLES)
@_store_options
@KEY
@click.option("--keep-last", type=int, metavar="N", default=1, help="newest N (default 1)")
@click.option("--keep-best", type=int, metavar="K", default=0, help="best K by --metric")
@click.option("--metric", metavar="NAME", help="a number in each version's metadata")
@click.option(
    "--mode", type=click.Choice(["min", "max"]), default="min", help="min: lower is better"
)
@click.option("--dry-run", is_flag=True, help="only say what would be deleted")
@click.option("-y", "--yes", is_flag=True, help="delete without asking (needed without a terminal)")
@global_options
@click.pass_context
def prune_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, _on_store(prune_versions), params)


def list_versions(store: CheckpointStore, args: SimpleNamespace) -> int:
    infos = use.list_checkpoints(store, args.key)
    if args.json:
        _print_json([use.info_record(i) for i in infos])
        return 0
    print_table(
        ("key", "version", "created", "bytes", "metadata"),
        [
            (
                i.key,
                f"v{i.version}",
                f"{i.created:%Y-%m-%d %H:%M:%S}",
                f"{i.size:,}",
                use.metadata_summary(i.metadata),
            )
            for i in infos
        ],
        right=(3,),
    )
    print(f"{len(infos)} versions under {len({i.key for i in infos})} keys")
    return 0


def show_version(store: CheckpointStore, args: SimpleNamespace) -> int:
    info = use.show_checkpoint(store, args.key, args.version)
    record = use.info_record(info, files=True)
    if args.json:
        _print_json(record)
        return 0
    print(f"{info.key} version {info.version}, {info.created.isoformat()}, {info.size:,} B")
    for f in record["files"]:
        print(f"  {f['name']}  {f['size']:,} B  sha256 {f['sha256']}")
    for k, v in sorted(info.metadata.items()):
        print(f"  {k}: {json.dumps(v)}")
    return 0


def verify_versions(store: CheckpointStore, args: SimpleNamespace) -> int:
    if args.version is not None and args.key is None:
        raise click.UsageError("--version needs --key")
    reports = use.verify_checkpoints(store, args.key, args.version)
    _print_reports(reports, as_json=args.json)
    return 0 if all(r.ok for r in reports) else 1


def prune_versions(store: CheckpointStore, args: SimpleNamespace) -> int:
    if args.keep_best and not args.metric:
        raise click.UsageError("--keep-best needs --metric")
    if args.keep_last < 0 or args.keep_best < 0:
        raise click.UsageError("--keep-last and --keep-best must be >= 0")
    policy = RetentionPolicy(args.keep_last, args.keep_best, args.metric, args.mode)
    if not (args.dry_run or args.yes or _confirmed(store, policy, args)):
        print("nothing deleted", file=sys.stderr)
        return 1
    results = use.prune_checkpoints(store, policy, args.key, dry_run=args.dry_run)
    if args.json:
        _print_json(
            [
                {"key": r.key, "kept": r.kept, "deleted": r.deleted, "damaged": r.damaged}
                for r in results
            ]
        )
        return 0
    verb = "would delete" if args.dry_run else "deleted"
    for r in results:
        gone = ", ".join(f"v{v}" for v in r.deleted) or "nothing"
        damaged = f" (damaged: {', '.join(f'v{v}' for v in r.damaged)})" if r.damaged else ""
        print(f"{r.key}: {verb} {gone}; kept {', '.join(f'v{v}' for v in r.kept)}{damaged}")
    total = sum(len(r.deleted) for r in results)
    print(f"{verb} {total} versions under {len(results)} keys")
    return 0


def _confirmed(
    store: CheckpointStore,
    policy: RetentionPolicy,
    args: SimpleNamespace,
) -> bool:
    """On a terminal, show what would go and ask; elsewhere refuse (a script must say --yes)."""
    if not interactive():
        raise click.UsageError(
            "prune deletes checkpoints: add --yes to confirm (or --dry-run to see what would go)"
        )
    plan = use.prune_checkpoints(store, policy, args.key, dry_run=True)
    doomed = [f"{r.key} v{v}" for r in plan for v in r.deleted]
    if not doomed:
        return True  # nothing to delete: nothing to ask
    shown = ", ".join(doomed[:10]) + (f" and {len(doomed) - 10} more" if len(doomed) > 10 else "")
    print(f"would delete: {shown}", file=sys.stderr)
    return confirm(f"Delete {len(doomed)} checkpoint versions from {args.store}?")


def _print_reports(reports: list[VerificationReport], *, as_json: bool) -> None:
    if as_json:
        _print_json(
            [
                {
                    "key": r.key,
                    "version": r.version,
                    "ok": r.ok,
                    "files_checked": r.files_checked,
                    "problems": [{"file": p.file, "reason": p.reason} for p in r.problems],
                }
                for r in reports
            ]
        )
        return
    for r in reports:
        if r.ok:
            print(f"ok       {r.key} v{r.version} ({r.files_checked} files)")
        for p in r.problems:
            print(f"DAMAGED  {r.key} v{r.version}: {p.file}: {p.reason}")
    bad = sum(1 for r in reports if not r.ok)
    print(f"{len(reports)} versions checked, {bad} damaged")


def _print_json(obj: object) -> None:
    print(json.dumps(obj, indent=2))

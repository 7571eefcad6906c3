"""``arc-ttt checkpoints list|show|verify|prune``: look after a checkpoint store from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from arc_ttt.application import checkpoints as use
from arc_ttt.cli.prompt import confirm, interactive
from arc_ttt.domain.checkpoint import VerificationReport
from arc_ttt.domain.checkpoint_policy import RetentionPolicy
from arc_ttt.domain.errors import InvalidCheckpointKeyError, InvalidStoreUrlError
from arc_ttt.ports.checkpoint_store import CheckpointStore

EXAMPLES = (
    "examples: arc-ttt checkpoints list runs/first/cache | "
    "arc-ttt checkpoints verify s3://bucket/prefix --endpoint-url http://localhost:9000 | "
    "arc-ttt checkpoints prune runs/first/cache --keep-last 2 --dry-run | "
    "arc-ttt checkpoints prune runs/first/cache --keep-last 2 --yes"
)


def add_parser(sub: Any) -> None:
    c = sub.add_parser(
        "checkpoints",
        help="list, show, verify or prune a checkpoint store",
        description="Look after a checkpoint store: a folder, file://PATH or s3://BUCKET/PREFIX.",
        epilog=EXAMPLES,
    )
    # Sub-actions parse with the CLI's own parser class: usage errors stay one line, exit 2.
    actions = c.add_subparsers(dest="action", metavar="ACTION", parser_class=type(c))
    actions.required = True

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        a: argparse.ArgumentParser = actions.add_parser(name, help=help_text, description=help_text)
        a.add_argument("store", metavar="STORE", help="folder, file://PATH or s3://BUCKET/PREFIX")
        a.add_argument("--endpoint-url", metavar="URL", help="S3 endpoint (or AWS_ENDPOINT_URL)")
        a.add_argument("--json", action="store_true", help="print JSON on stdout")
        return a

    listing = action("list", "every key and version with its size and metadata")
    listing.add_argument("--key", metavar="KEY", help="only this key")
    show = action("show", "one version: files with sizes and sha256, metadata")
    show.add_argument("key", metavar="KEY")
    show.add_argument("--version", type=int, metavar="N", help="default: the newest")
    verify = action("verify", "check every file against its manifest; exit 1 on damage")
    verify.add_argument("--key", metavar="KEY", help="only this key (default: all)")
    verify.add_argument("--version", type=int, metavar="N", help="only this version of --key")
    prune = action("prune", "delete versions a retention policy does not keep")
    prune.add_argument("--key", metavar="KEY", help="only this key (default: all)")
    prune.add_argument("--keep-last", type=int, metavar="N", default=1, help="newest N (default 1)")
    prune.add_argument("--keep-best", type=int, metavar="K", default=0, help="best K by --metric")
    prune.add_argument("--metric", metavar="NAME", help="a number in each version's metadata")
    prune.add_argument("--mode", choices=["min", "max"], default="min", help="min: lower is better")
    prune.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    prune.add_argument(
        "-y", "--yes", action="store_true", help="delete without asking (needed without a terminal)"
    )


def run(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:
    """Run one ``checkpoints`` action; a bad store URL or key raises ``usage_error`` (exit 2)."""
    try:
        store = container.open_store(args.store, endpoint_url=args.endpoint_url, create=False)
        return _run(store, args, usage_error)
    except (InvalidStoreUrlError, InvalidCheckpointKeyError) as e:
        raise usage_error(str(e)) from e


def _run(store: CheckpointStore, args: argparse.Namespace, usage_error: type[Exception]) -> int:
    if args.action == "list":
        infos = use.list_checkpoints(store, args.key)
        if args.json:
            _print_json([use.info_record(i) for i in infos])
        else:
            for i in infos:
                meta = use.metadata_summary(i.metadata)
                print(f"{i.key}  v{i.version}  {i.created:%Y-%m-%d %H:%M:%S}  {i.size:,} B  {meta}")
            print(f"{len(infos)} versions under {len({i.key for i in infos})} keys")
        return 0
    if args.action == "show":
        info = use.show_checkpoint(store, args.key, args.version)
        record = use.info_record(info, files=True)
        if args.json:
            _print_json(record)
        else:
            print(f"{info.key} version {info.version}, {info.created.isoformat()}, {info.size:,} B")
            for f in record["files"]:
                print(f"  {f['name']}  {f['size']:,} B  sha256 {f['sha256']}")
            for k, v in sorted(info.metadata.items()):
                print(f"  {k}: {json.dumps(v)}")
        return 0
    if args.action == "verify":
        if args.version is not None and args.key is None:
            raise usage_error("--version needs --key")
        reports = use.verify_checkpoints(store, args.key, args.version)
        _print_reports(reports, as_json=args.json)
        return 0 if all(r.ok for r in reports) else 1
    if args.keep_best and not args.metric:
        raise usage_error("--keep-best needs --metric")
    if args.keep_last < 0 or args.keep_best < 0:
        raise usage_error("--keep-last and --keep-best must be >= 0")
    policy = RetentionPolicy(args.keep_last, args.keep_best, args.metric, args.mode)
    if not (args.dry_run or args.yes or _confirmed(store, policy, args, usage_error)):
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
    else:
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
    args: argparse.Namespace,
    usage_error: type[Exception],
) -> bool:
    """On a terminal, show what would go and ask; elsewhere refuse (a script must say --yes)."""
    if not interactive():
        raise usage_error(
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

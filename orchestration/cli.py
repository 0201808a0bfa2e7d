"""`cxw`: the command line of CX Warehouse. Every command calls the same code the UI runs."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path

from .build_state import nothing_to_load_message
from .config import settings
from .loader.load import LandingFolderMissing, check_landing_dir


def _generate(args: argparse.Namespace) -> int:
    from .generator import generate

    summary = generate(
        Path(args.out),
        Path(args.truth) if args.truth else None,
        customers=args.customers,
        days=args.days,
        seed=args.seed,
    )
    rows = summary.get("rows", {})
    print(f"wrote sample extracts to {args.out} (seed {args.seed})")
    for entity, count in sorted(rows.items()):
        print(f"  {entity:<18} {count:>10} rows")
    return 0


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Everything written to standard output, by this process or its children (dbt), goes
    to standard error instead: `cxw run --json` keeps stdout for the summary alone."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _print_json(summary: dict) -> None:
    print(json.dumps(summary, ensure_ascii=False))


def _run(args: argparse.Namespace) -> int:
    if args.mapping:
        from .loader.mapping import check_mappings, load_mappings

        paths = [str(Path(p).expanduser().resolve()) for p in args.mapping]
        # a mistake in a mapping fails here, before anything is loaded
        check_mappings(load_mappings(paths), settings().landing_dir)
        os.environ["CXW_MAPPINGS"] = os.pathsep.join(paths)
    # after the mappings' check: Dagster is slow to import
    from .runner import format_report, report_summary, run_pipeline

    # with --json, standard output holds the summary alone: what people read goes to stderr
    say = sys.stderr if args.json else sys.stdout
    s = settings()
    print(
        f"landing {s.landing_dir} → warehouse {s.warehouse_path} → serving {s.serving_path}",
        file=say,
    )
    for path in s.mappings:
        print(f"mapping {path}", file=say)
    if s.spark:
        print(f"engine spark: master {s.spark_master}, tables in {s.spark_home}", file=say)
    try:
        check_landing_dir(s.landing_dir)
    except LandingFolderMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.json:
            _print_json({"status": "error", "ok": False, "release": None, "errors": [str(exc)]})
        return 2
    message = nothing_to_load_message(s)
    if message is not None:
        print(message, file=say)
        if args.json:
            _print_json({"status": "nothing_to_load", "ok": True, "release": None, "errors": []})
        return 0
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_path = None if args.verbose else s.data_dir / "logs" / f"run-{stamp}.log"
    with _stdout_to_stderr() if args.json else nullcontext():
        report = run_pipeline(full_refresh=args.full_refresh, log_path=log_path)
    print(format_report(report), file=say)
    if args.json:
        _print_json(report_summary(report))
    return 0 if report.ok else 1


def _evaluate(args: argparse.Namespace) -> int:
    from .evaluation import evaluate_identity, format_identity_evaluation

    s = settings()
    database = Path(args.database) if args.database else s.serving_path
    truth = Path(args.truth) if args.truth else s.data_dir / "ground_truth"
    metrics = evaluate_identity(database, truth)
    print(format_identity_evaluation(metrics))
    return 0 if metrics["passed"] else 1


def _rollback(args: argparse.Namespace) -> int:
    from .serving import rollback

    s = settings()
    target = rollback(s.serving_path, args.to)
    print(f"{s.serving_path} now serves release {target.stem}")
    return 0


def _releases(args: argparse.Namespace) -> int:
    from .serving import current_release, list_releases

    s = settings()
    current = current_release(s.serving_path)
    for release in list_releases(s.serving_path):
        print(("* " if release == current else "  ") + release.stem)
    return 0


def _mapping_check(args: argparse.Namespace) -> int:
    from .loader.mapping import format_check, sample_check

    landing = Path(args.landing).resolve() if args.landing else settings().landing_dir
    report = sample_check(Path(args.mapping), landing, files=args.files, examples=args.examples)
    print(format_check(report))
    return 0


def _mapping_suggest(args: argparse.Namespace) -> int:
    from .loader.suggest import suggest_mapping

    text = suggest_mapping(Path(args.file), args.entity, landing=args.landing)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote a draft mapping to {args.out}; fill in what is marked TODO")
    else:
        print(text, end="")
    return 0


def _forget(args: argparse.Namespace) -> int:
    from .erasure import ErasureError, forget, format_erasure

    kind, value = next(
        (k, getattr(args, k)) for k in ("email", "phone", "customer_id") if getattr(args, k)
    )
    s = settings()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        report = forget(kind, value, log_path=s.data_dir / "logs" / f"forget-{stamp}.log")
    except ErasureError as exc:
        print(f"cxw forget: error: {exc}", file=sys.stderr)
        return 1
    print(format_erasure(report, s.landing_dir))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cxw", description="CX Warehouse: customer-experience marts from raw extracts."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write deterministic sample extracts")
    gen.add_argument("--out", required=True, help="landing folder to write")
    gen.add_argument("--truth", help="ground-truth folder (default: <out>/../ground_truth)")
    gen.add_argument("--customers", type=int, default=2000)
    gen.add_argument("--days", type=int, default=365)
    gen.add_argument("--seed", type=int, default=42)
    gen.set_defaults(func=_generate)

    run = commands.add_parser("run", help="one full pipeline run on CXW_LANDING_DIR")
    run.add_argument(
        "--full-refresh", action="store_true", help="rebuild incremental models from scratch"
    )
    run.add_argument(
        "--verbose",
        action="store_true",
        help="show the Dagster and dbt log on the terminal (default: a log file under data/logs)",
    )
    run.add_argument(
        "--json",
        action="store_true",
        help="print the run's summary as one JSON object on stdout (the rest goes to stderr)",
    )
    run.add_argument(
        "--mapping",
        action="append",
        default=[],
        metavar="FILE",
        help="a source mapping (YAML) to apply to the files under CXW_LANDING_DIR (repeatable)",
    )
    run.set_defaults(func=_run)

    mapping = commands.add_parser("mapping", help="source mappings: draft and check them")
    mapping_commands = mapping.add_subparsers(dest="mapping_command", required=True)
    suggest = mapping_commands.add_parser(
        "suggest", help="sniff an export and write a draft source mapping"
    )
    suggest.add_argument("file", help="the export file (CSV or JSON lines)")
    suggest.add_argument(
        "--entity", required=True, help="contract entity it feeds: customers, orders, tickets, "
        "events or responses (or its folder, e.g. crm/orders)",
    )  # fmt: skip
    suggest.add_argument("--out", help="write the draft here (default: print it)")
    suggest.add_argument(
        "--landing", help="landing folder the `files` glob is relative to (default: the file's)"
    )
    suggest.set_defaults(func=_mapping_suggest)
    check = mapping_commands.add_parser(
        "check", help="load a sample through a mapping and print what would be quarantined"
    )
    check.add_argument("mapping", help="the source mapping (YAML)")
    check.add_argument("--landing", help="landing folder (default: CXW_LANDING_DIR)")
    check.add_argument("--files", type=int, default=3, help="files to sample (default 3)")
    check.add_argument(
        "--examples", type=int, default=3, help="quarantined lines shown per reason (default 3)"
    )
    check.set_defaults(func=_mapping_check)

    ev = commands.add_parser(
        "evaluate",
        help="identity resolution against the ground truth (exit 1 when a target is missed)",
    )
    ev.add_argument("--truth", help="ground-truth folder (default: $CXW_DATA_DIR/ground_truth)")
    ev.add_argument("--database", help="DuckDB file to evaluate (default: the serving file)")
    ev.set_defaults(func=_evaluate)

    rb = commands.add_parser("rollback", help="serve an earlier release again")
    rb.add_argument("--to", help="release id (default: the one before the current)")
    rb.set_defaults(func=_rollback)

    fg = commands.add_parser(
        "forget",
        help="right to erasure: remove a person (every identifier of their unified customer) "
        "from raw, quarantine, models, releases and files, and keep them out of later loads",
    )
    who = fg.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="an email of the person")
    who.add_argument("--phone", help="a phone number of the person (as in the extracts)")
    who.add_argument("--customer-id", dest="customer_id", help="a CRM customer_id of theirs")
    fg.set_defaults(func=_forget)

    rel = commands.add_parser("releases", help="list kept releases (* = current)")
    rel.set_defaults(func=_releases)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (OSError, RuntimeError, ValueError) as error:
        print(f"cxw {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

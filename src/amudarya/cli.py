"""The `amudarya` command: check the data, run one notebook, or build the whole book.

Input mistakes (bad data, bad parameters, a bad run matrix, a notebook that fails) end with a
plain message and exit status 2; `--debug` shows the Python traceback as well.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from amudarya.build import paths, runner, timeouts
from amudarya.build.execution import execute
from amudarya.build.parameters import check_parameters, parse_cli_value
from amudarya.build.paths import BUILD
from amudarya.build.run import Run
from amudarya.build.timeouts import DEFAULT as DEFAULT_TIMEOUT
from amudarya.data import tables
from amudarya.data.errors import GUIDE, InputError, RunError
from amudarya.data.tables import project_root
from amudarya.domain import words


def _root(args) -> Path:
    return Path(args.root).resolve() if args.root else project_root()


def _warn(warnings) -> None:
    """Valid data that is probably not what was meant: said, but nothing stops."""
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _checked_data(root: Path, warn: bool = True) -> None:
    """Validate the data before anything runs, so a person sees every problem in it at once."""
    folder = root / "data"
    findings = tables.check_once(folder)
    if findings.problems:
        raise InputError(
            findings.problems, summary=f"{folder} is not valid ({words.count(len(findings.problems), 'problem')})"
        )
    if warn:
        _warn(findings.warnings)


def cmd_check(args) -> int:
    root = _root(args)
    _checked_data(root)
    print(f"{root / 'data'}: valid")
    return 0


def cmd_run(args) -> int:
    root = _root(args)
    where = f"amudarya run {args.thread}"
    # Where the notebook goes and how long it may take are checked before the data, so that a
    # slip in the command line is said at once.
    problems = paths.repeated_parameters(where, args.parameter)
    if args.output:
        problems += [p for p in [paths.output_problem(root, where, args.output)] if p]
    if args.timeout is not None:
        problems += [p for p in [timeouts.problem(where, "--timeout", args.timeout)] if p]
    if problems:
        raise InputError(problems, summary="The command line is not valid")
    _checked_data(root, warn=False)
    params = {name: parse_cli_value(value) for name, value in args.parameter}
    problems = check_parameters(root, args.thread, params, where=where)
    if problems:
        raise InputError(problems, summary="The parameters are not valid")
    run = Run(args.thread, params, timeout=args.timeout)
    output = Path(args.output).expanduser().resolve() if args.output else root / BUILD / "runs" / f"{run.name}.ipynb"
    execute(root, run, output)
    print(output)
    return 0


def cmd_build(args) -> int:
    # The build checks the data itself (once per content, remembered in the cache).
    runner.build(_root(args), jobs=args.jobs, timeout=args.timeout, scheduler=args.scheduler)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="amudarya", description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="project folder (default: this repository)")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for input errors")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="validate the data package; report every problem at once")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("run", help="execute one notebook with parameters and print the executed notebook's path")
    p.add_argument("thread", help="notebook name in notebooks/, e.g. trade")
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="parameter to set (repeatable); the value is read as YAML: KAZ, 3, [KAZ, KGZ]",
    )
    p.add_argument(
        "-o", "--output", help="where to write the executed notebook (a .ipynb file outside the project's sources)"
    )
    p.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help=f"stop the run when a cell takes longer than this (default: {DEFAULT_TIMEOUT:.0f})",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("build", help="check the data, execute the run matrix and build the HTML book")
    p.add_argument("-j", "--jobs", type=int, help="runs to execute at once (default: one per core)")
    p.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="stop a run when a cell takes longer than this, for runs without a timeout in runs.yml "
        f"(default: {DEFAULT_TIMEOUT:.0f})",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="execute the runs on the Dask distributed scheduler at ADDRESS, e.g. tcp://10.0.0.5:8786"
        " (default: a local cluster of --jobs workers)",
    )
    p.set_defaults(func=cmd_build)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (InputError, RunError) as exc:
        if args.debug:
            raise
        print(f"amudarya {args.command}: {exc}", file=sys.stderr)
        print(f"What each kind of problem means: {GUIDE}.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

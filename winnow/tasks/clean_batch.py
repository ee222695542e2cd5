"""`winnow clean` over many pages: inputs checked, engine run, progress and summary on stderr.

The work is `winnow.batch.clean_records`; this module only wires the command line to it: which
inputs, which sink, a progress bar on a terminal (nothing when stderr is piped), one line per
failed record with its position, and the summary. Exit status 3 says some records failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from winnow.batch import BatchOptions, Outcome, Summary, clean_records
from winnow.cli import ExitStatus
from winnow.errors import WinnowError
from winnow.records import STDIN, is_jsonl, iter_records
from winnow.sinks import FolderSink, JsonlSink

PROG = "winnow clean"


def wants_batch(args: argparse.Namespace) -> bool:
    """One page file or stdin with no batch option keeps the one-page output."""
    inputs = args.inputs or [STDIN]
    if len(inputs) > 1 or args.jsonl or args.output or args.output_dir or args.jobs is not None:
        return True
    path = inputs[0]
    return path != STDIN and (os.path.isdir(path) or is_jsonl(path))


def run_batch(args: argparse.Namespace) -> int:
    inputs = args.inputs or [STDIN]
    problem = input_problem(inputs, args)
    if problem:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return ExitStatus.ERROR
    options = BatchOptions(
        model=args.model, mode=args.mode, threshold=args.threshold, lines=args.lines, jobs=args.jobs
    )
    records = iter_records(inputs, jsonl=args.jsonl)
    try:
        with open_sink(args) as sink, Reporter() as reporter:
            summary = drain(clean_records(records, options), sink, reporter)
    except BrokenPipeError:
        raise  # `winnow clean … | head`: winnow.cli ends quietly
    except (WinnowError, OSError) as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return ExitStatus.ERROR
    print(f"{PROG}: {summary_line(summary)}", file=sys.stderr)
    return ExitStatus.PARTIAL if summary.failed else ExitStatus.OK


def input_problem(inputs: list[str], args: argparse.Namespace) -> str | None:
    """Mistakes that would waste or destroy a run, found before it starts."""
    if args.jobs is not None and args.jobs < 1:
        return f"--jobs must be at least 1, got {args.jobs}"
    if inputs.count(STDIN) > 1:
        return "stdin (-) can be read once"
    for path in inputs:
        if path != STDIN and not os.path.exists(path):
            return f"no such file or folder: {path}"
    given = [Path(p).resolve() for p in inputs if p != STDIN]
    if args.output and Path(args.output).resolve() in given:
        return f"--output {args.output} is also an input"
    if args.output_dir:
        out = Path(args.output_dir).resolve()
        for path in given:
            if path.is_dir() and out.is_relative_to(path):
                return f"--output-dir {args.output_dir} is inside the input folder {path}"
    return None


@contextmanager
def open_sink(args: argparse.Namespace):
    if args.output_dir:
        yield FolderSink(args.output_dir, as_json=args.json)
    elif args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
            yield JsonlSink(fh)
    else:
        sink = JsonlSink(sys.stdout)
        yield sink
        sink.close()


def drain(outcomes, sink, reporter: Reporter) -> Summary:
    """Write every result, report every failure, count both."""
    summary = Summary()
    for outcome in outcomes:
        if outcome.ok:
            error = sink.write(outcome)
            if error:
                outcome = replace(outcome, result=None, error=error)
        if not outcome.ok:
            reporter.failed(outcome)
        summary.add(outcome)
        reporter.progress(summary)
    return summary


def summary_line(summary: Summary) -> str:
    return (
        f"{summary.pages:,} pages, {summary.lines:,} lines in {summary.seconds:.1f} s "
        f"({summary.pages_per_second:,.1f} pages/s); {summary.failed:,} failed"
    )


def failure_line(outcome: Outcome) -> str:
    record = outcome.record
    shown = "" if record.id == record.where else f" (id {record.id!r})"
    return f"{PROG}: {record.where}{shown}: {outcome.error}"


class Reporter:
    """Failures as lines on stderr; on a terminal, also a live count with pages/s."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.live = None
        self.task = None

    def __enter__(self) -> Reporter:
        if self.stream.isatty():
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            console = Console(file=self.stream)
            self.live = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                console=console, transient=True,
            )  # fmt: skip
            self.task = self.live.add_task("starting workers…", total=None)
            self.live.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.live is not None:
            self.live.stop()

    def failed(self, outcome: Outcome) -> None:
        line = failure_line(outcome)
        if self.live is not None:
            self.live.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=self.stream)

    def progress(self, summary: Summary) -> None:
        if self.live is not None:
            self.live.update(self.task, description=summary_line(summary))

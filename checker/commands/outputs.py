"""The output formats of the subcommands that report verdicts, as one table.

A format is an option, what it gives (a report printed on stdout instead of the text
one, or a file, or a directory of one file per counterexample), its help and its
writer. `check`, `search`, `bmc` and `gate` each name the formats they offer in an
`Outputs`, which adds their options, refuses a bad combination or an unwritable path
before the run (so a typo fails at once, not after a long search), and after the run
writes every file asked for, then prints the one report on stdout:

    OUTPUTS = Outputs("json", "mermaid", "itf", "html")
    OUTPUTS.add_arguments(group)            # in add_arguments
    OUTPUTS.check(args)                     # before the run
    OUTPUTS.emit(args, Results(...))        # after it

A new format is one row of FORMATS and one writer; a command offers it by its name.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from leaderless.checker.cli import UsageError
from leaderless.checker.commands.options import FLAGS
from leaderless.checker.gate_report import junit_xml, markdown
from leaderless.checker.html import write_html
from leaderless.checker.itf import trace_itf
from leaderless.checker.render import check_outputs, write_itf_files, write_output
from leaderless.checker.reports import report_json
from leaderless.checker.trace import normalize

# A report's config keys as the command line names them (--drops for max_drops).
CONFIG_NAMES = {field: flag.removeprefix("--") for field, flag in FLAGS.items()}


class Kind(Enum):
    STDOUT = "stdout"  # a switch: print this report instead of the text one
    FILE = "FILE"  # writes the file the option names
    DIR = "DIR"  # writes DIR/<property>.<ext> per counterexample, creating DIR if missing


@dataclass(frozen=True)
class Results:
    """What one run hands its outputs. The renderings are functions, so only the
    ones asked for are computed."""

    command: str  # the subcommand: names the JSON report and heads the HTML page
    report: dict[str, Any]  # the JSON report's data (properties with normalized traces)
    text: Callable[[], str]  # the plain-text report: stdout when no stdout format is given
    # Counterexamples by property id, as `trace_data` gives them (not normalized).
    traces: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    times: bool = True  # False with --no-times: the JSON leaves durations out
    markdown: Callable[[], str] | None = None  # the report as Markdown, traces as Mermaid
    html_report: dict[str, Any] | None = None  # what --html draws, if not `report`
    html_page: Callable[[], str] | None = None  # a whole page instead (a gate's sections)


def _print_json(results: Results) -> str:
    return report_json(results.command, results.report, times=results.times)


def _print_markdown(results: Results) -> str:
    assert results.markdown is not None, f"{results.command} offers --mermaid without Markdown"
    return results.markdown()


def _write_itf(path: str, results: Results) -> None:
    write_itf_files(path, {pid: trace_itf(trace) for pid, trace in results.traces.items()})


def _write_histories(path: str, results: Results) -> None:
    # Imported here: only a run that writes histories waits for the history checker.
    from leaderless.checker.commands.history import write_history_files

    write_history_files(path, {pid: normalize(trace) for pid, trace in results.traces.items()})


def _write_junit(path: str, results: Results) -> None:
    write_output(path, junit_xml(results.report), "--junit")


def _write_markdown(path: str, results: Results) -> None:
    write_output(path, markdown(results.report), "--markdown")


def _write_html(path: str, results: Results) -> None:
    if results.html_page is not None:
        write_output(path, results.html_page(), "--html")
    else:
        report = results.report if results.html_report is None else results.html_report
        write_html(path, report, title=f"leaderless {results.command}", names=CONFIG_NAMES)


@dataclass(frozen=True)
class OutputFormat:
    option: str  # the command-line option, e.g. "--itf"
    kind: Kind
    help: str
    render: Callable[[Results], str] | None = None  # a stdout format: the text to print
    write: Callable[[str, Results], None] | None = None  # a file format: write at the path
    # A stdout format that is one document for a program to read: no other text may
    # share stdout with it. Says why, for the error message.
    whole: str = ""

    @property
    def dest(self) -> str:
        return self.option.removeprefix("--").replace("-", "_")


# In the order the files are written (and the options listed in --help).
FORMATS: dict[str, OutputFormat] = {
    fmt.dest: fmt
    for fmt in (
        OutputFormat(
            "--json",
            Kind.STDOUT,
            "print the report as JSON (traces included)",
            render=_print_json,
            whole="the JSON holds every trace already",
        ),
        OutputFormat(
            "--mermaid",
            Kind.STDOUT,
            "print the report as Markdown, traces as Mermaid sequence diagrams (for GitHub)",
            render=_print_markdown,
        ),
        OutputFormat(
            "--itf", Kind.DIR, "write each trace as DIR/<property>.itf.json", write=_write_itf
        ),
        OutputFormat(
            "--history-out",
            Kind.DIR,
            "write each counterexample a client history can show as "
            "DIR/<property>.jsonl, a history `leaderless history` reads",
            write=_write_histories,
        ),
        OutputFormat("--junit", Kind.FILE, "write JUnit XML", write=_write_junit),
        OutputFormat("--markdown", Kind.FILE, "write a Markdown summary", write=_write_markdown),
        OutputFormat(
            "--html",
            Kind.FILE,
            "write a self-contained HTML report with a sequence diagram per trace",
            write=_write_html,
        ),
    )
}


class Outputs:
    """The formats one subcommand offers (names in FORMATS, listed in table order)."""

    def __init__(
        self,
        *names: str,
        text_options: tuple[str, ...] = (),
        help: Mapping[str, str] | None = None,
    ) -> None:
        """`text_options`: the command's own options that shape its text on stdout
        (check's --trace), which a whole-document format excludes; `help` replaces a
        format's help where the command's output differs."""
        unknown = sorted(set(names) - set(FORMATS))
        assert not unknown, f"no such output format: {unknown}"
        self.formats = [fmt for name, fmt in FORMATS.items() if name in names]
        # Two stdout formats given together are refused by the whole-document one.
        assert sum(not fmt.whole for fmt in self._stdout()) <= 1, "two stdout formats can mix"
        self.text_options = text_options
        self._help = dict(help or {})

    def _stdout(self) -> list[OutputFormat]:
        return [fmt for fmt in self.formats if fmt.kind is Kind.STDOUT]

    def add_arguments(self, group: argparse._ArgumentGroup | argparse.ArgumentParser) -> None:
        """Add each format's option, its help naming the options it cannot combine with."""
        for fmt in self.formats:
            text = self._help.get(fmt.dest, fmt.help)
            if fmt.kind is Kind.STDOUT:
                excluded = [other.option for other in self._stdout() if other is not fmt]
                if fmt.whole:
                    excluded = [*self.text_options, *excluded]
                if excluded:
                    text += f"; not with {' or '.join(excluded)}"
                group.add_argument(fmt.option, action="store_true", help=text)
            else:
                group.add_argument(fmt.option, metavar=fmt.kind.value, help=text)

    def check(self, args: argparse.Namespace) -> None:
        """Before the run: at most one report on stdout, and no whole document beside
        text the command's own options would print; every path given can be written,
        and no two options name the same file."""
        given = [fmt for fmt in self._stdout() if getattr(args, fmt.dest)]
        for fmt in given:
            if not fmt.whole:
                continue
            others = [option for option in self.text_options if _given(args, option) is not None]
            others += [other.option for other in given if other is not fmt]
            if others:
                raise UsageError(
                    f"{fmt.option} and {others[0]} cannot combine: {fmt.whole}; drop "
                    f"{others[0]}, or {fmt.option} for text"
                )
        check_outputs(
            **{fmt.dest: getattr(args, fmt.dest) for fmt in self.formats if fmt.kind is Kind.FILE}
        )
        for fmt in self.formats:
            if fmt.kind is Kind.DIR and getattr(args, fmt.dest) is not None:
                _check_directory(fmt.option, getattr(args, fmt.dest))

    def emit(self, args: argparse.Namespace, results: Results) -> None:
        """Write every file asked for, in table order, then print the report on stdout:
        the stdout format given, else the text."""
        for fmt in self.formats:
            path = getattr(args, fmt.dest)
            if fmt.write is not None and path is not None:
                fmt.write(path, results)
        chosen = next((fmt for fmt in self._stdout() if getattr(args, fmt.dest)), None)
        if chosen is None:
            print(results.text())
        else:
            assert chosen.render is not None, f"{chosen.option} is a stdout format"
            print(chosen.render(results))


def _given(args: argparse.Namespace, option: str) -> Any:
    value = getattr(args, option.removeprefix("--").replace("-", "_"))
    return None if value is False else value


def _check_directory(option: str, path: str) -> None:
    """A directory an option names exists, or can be created (its parent exists)."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{option}: {path} is not a directory")
    if not target.exists() and not target.parent.is_dir():
        raise UsageError(
            f"{option}: cannot create {path}: the directory {target.parent} does not exist"
        )

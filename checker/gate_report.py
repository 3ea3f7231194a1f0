"""Gate results as JUnit XML and Markdown, from plain result data (see `leaderless gate`).

The result data is a dict: {"file", "scenarios": [{"name", "description", "seconds",
"checks": [{"id", "expected", "verdict", "outcome", "length", "reason", "details"}]}]};
`outcome` is pass / fail / inconclusive, `details` the counterexample in words. An
explored property's check also has "reached" and "situation": one that holds without
its situation ever reached passes, and each report marks it vacuous.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html import escape
from typing import Any

from leaderless.checker.outcome import Outcome
from leaderless.checker.render import (
    VACUOUS,
    markdown_code,
    markdown_fence,
    markdown_table,
    markdown_text,
    vacuous,
)

PASS, FAIL, INCONCLUSIVE = Outcome.PASS, Outcome.FAIL, Outcome.INCONCLUSIVE


def _count(checks: list[dict[str, Any]], outcome: str) -> int:
    return sum(1 for check in checks if check["outcome"] == outcome)


def junit_xml(results: dict[str, Any]) -> str:
    """One <testsuite> per scenario, one <testcase> per (scenario, property).

    A violated requirement is a <failure> carrying the trace in words; an inconclusive
    one is an <error> (the gate could not decide, which CI must not mistake for a pass);
    a vacuous one passes with a <system-out> naming the situation never reached.
    """
    every = [c for s in results["scenarios"] for c in s["checks"]]
    root = ET.Element(
        "testsuites",
        name="leaderless gate",
        tests=str(len(every)),
        failures=str(_count(every, FAIL)),
        errors=str(_count(every, INCONCLUSIVE)),
        time=f"{sum(s['seconds'] for s in results['scenarios']):.3f}",
    )
    for scenario in results["scenarios"]:
        checks = scenario["checks"]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=scenario["name"],
            tests=str(len(checks)),
            failures=str(_count(checks, FAIL)),
            errors=str(_count(checks, INCONCLUSIVE)),
            skipped="0",
            time=f"{scenario['seconds']:.3f}",
        )
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="configuration", value=scenario["description"])
        for check in checks:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"leaderless.{scenario['name']}",
                name=f"{check['id']} (expected {check['expected']})",
            )
            if check["outcome"] == FAIL:
                failure = ET.SubElement(
                    case, "failure", type=check["verdict"], message=_summary(check)
                )
                failure.text = check["details"] or _summary(check)
            elif check["outcome"] == INCONCLUSIVE:
                error = ET.SubElement(case, "error", type="inconclusive", message=_summary(check))
                error.text = check["reason"] or ""
            if vacuous(check):
                ET.SubElement(case, "system-out").text = _vacuity(check)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _summary(check: dict[str, Any]) -> str:
    verdict = check["verdict"]
    if verdict == "violated" and check["length"] is not None:
        verdict = f"violated ({check['length']} steps)"
    text = f"{check['id']}: expected {check['expected']}, {verdict}"
    return f"{text}: {check['reason']}" if check["reason"] else text


def _vacuity(check: dict[str, Any]) -> str:
    return f"{check['id']}: {VACUOUS}: no explored state was in its situation: {check['situation']}"


_ICONS = {PASS: "✅ pass", FAIL: "❌ FAIL", INCONCLUSIVE: "⚠️ inconclusive"}


def markdown(results: dict[str, Any]) -> str:
    """A summary for a CI step summary: a table, what each vacuous check never reached,
    then each failure's trace folded.

    Every name from the gate file is text, never markup: escaped as Markdown in the
    table and as HTML in the <summary> lines (an HTML block, where Markdown is off).
    """
    every = [c for s in results["scenarios"] for c in s["checks"]]
    lines = [
        "## leaderless gate",
        "",
        (
            f"{markdown_code(results['file'])}: {_count(every, PASS)} passed, "
            f"{_count(every, FAIL)} failed, {_count(every, INCONCLUSIVE)} inconclusive"
        ),
        "",
    ]
    rows = []
    for scenario in results["scenarios"]:
        for check in scenario["checks"]:
            verdict = VACUOUS if vacuous(check) else check["verdict"]
            if check["length"] is not None:
                verdict += f" ({check['length']} steps)"
            rows.append(
                [
                    scenario["name"],
                    check["id"],
                    check["expected"],
                    verdict,
                    _ICONS[check["outcome"]],
                ]
            )
    lines.append(markdown_table(["scenario", "property", "expected", "verdict", "result"], rows))
    never = [
        f"- {markdown_text(scenario['name'] + ': ' + _vacuity(check))}"
        for scenario in results["scenarios"]
        for check in scenario["checks"]
        if vacuous(check)
    ]
    if never:
        lines += ["", *never]
    for scenario in results["scenarios"]:
        for check in scenario["checks"]:
            if check["outcome"] == PASS:
                continue
            lines += [
                "",
                "<details>",
                (
                    f"<summary>{escape(scenario['name'])}: <code>{escape(check['id'])}"
                    f"</code> {_ICONS[check['outcome']]}</summary>"
                ),
                "",
                markdown_fence(check["details"] or check["reason"] or ""),
                "</details>",
            ]
    return "\n".join(lines) + "\n"

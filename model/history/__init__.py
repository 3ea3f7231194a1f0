"""Recorded histories of a real system, checked against the model's guarantees.

Pure code: records (`records`), readers for Jepsen EDN, Porcupine's logs and JSON
lines (`parse`), linearizability by the Wing and Gong search with Lowe's memoisation
(`linear`), the model's session properties (`sessions`), verdicts with witnesses
(`check`), and the export of model traces as histories (`export`).
"""

from leaderless.model.history.check import HISTORY_PROPERTIES, Report, check_history
from leaderless.model.history.linear import Budget
from leaderless.model.history.parse import FORMATS, parse
from leaderless.model.history.records import History, HistoryError, Op

__all__ = [
    "FORMATS",
    "HISTORY_PROPERTIES",
    "Budget",
    "History",
    "HistoryError",
    "Op",
    "Report",
    "check_history",
    "parse",
]

"""Recorded histories of a real system, checked against the model's guarantees.

Pure code: records (`records`), readers for Jepsen EDN, Porcupine's logs and JSON
lines (`parse`), linearizability by the Wing and Gong search with Lowe's memoisation
(`linear`), the model's session properties (`sessions`), verdicts with witnesses
(`check`), and the export of model traces as histories (`export`).
"""

from model.history.check import HISTORY_PROPERTIES, Report, check_history
from model.history.linear import Budget
from model.history.parse import FORMATS, parse
from model.history.records import History, HistoryError, Op

__all__ = ["FORMATS", "HISTORY_PROPERTIES", "Budget", "History", "HistoryError", "Op", "Report",
           "check_history", "parse"]

"""The date the site is built as of: `--today YYYY-MM-DD`, or today's date where the council is.

The only place the program reads the clock. The date then flows into the build as plain data, so
that the same content and the same date always give the same site, byte for byte.
"""
from __future__ import annotations

import argparse
import datetime as dt
from zoneinfo import ZoneInfo  # on Windows, the time zones come from the tzdata package

COUNCIL_TIME_ZONE = ZoneInfo("Europe/London")


def council_today() -> dt.date:
    """Today's date in the council's time zone: just after midnight in a British summer is still
    the day before in UTC, and the site must not call a check due a day early or late."""
    return dt.datetime.now(COUNCIL_TIME_ZONE).date()


def date_argument(text: str) -> dt.date:
    """`--today 2026-12-03` -> the date, or a message that says how to write it."""
    try:
        if len(text) != 10:  # fromisoformat would take 20261203 too
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write it as YYYY-MM-DD, such as 2026-12-03") from None

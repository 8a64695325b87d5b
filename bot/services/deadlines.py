"""Time limits (限时办结) per tier and priority, from config/teams.yaml.

Working days skip weekends and Chinese public holidays and count the make-up working
days, as the `chinesecalendar` package records them; beyond the years it knows, only
weekends are skipped.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar

from bot.services.clock import BEIJING
from config import deadlines as deadline_config


@lru_cache(maxsize=1024)
def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


END_OF_DAY = time(18, 0, tzinfo=BEIJING)


def add_working_days(start: datetime, days: int) -> datetime:
    """The end of the working day (18:00 Beijing) `days` working days after `start`."""
    day = start.astimezone(BEIJING).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return datetime.combine(day, END_OF_DAY).astimezone(start.tzinfo)


def due_at(now: datetime, *, tier: str, priority: str, text: str = "", needs_review: bool = False) -> datetime:
    cfg = deadline_config()
    if priority == "urgent":
        return now + timedelta(hours=cfg["urgent_hours"])
    if needs_review:
        return now + timedelta(hours=cfg["needs_review_hours"])
    if tier == "complex":
        return add_working_days(now, cfg["complex_working_days"])
    if any(w in text for w in cfg.get("utility_words", [])):
        return now + timedelta(hours=cfg["utility_hours"])
    return add_working_days(now, cfg["general_working_days"])

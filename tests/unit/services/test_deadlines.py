"""Time limits count working days the way Chinese offices do."""
from datetime import datetime, timezone

from bot.services.clock import BEIJING
from bot.services.deadlines import add_working_days, due_at


def bj(*args):
    return datetime(*args, tzinfo=BEIJING)


def test_seven_working_days_skip_national_day_and_count_make_up_days():
    # 2025: Oct 1-8 off; Sunday Sep 28 and Saturday Oct 11 are make-up working days
    start = bj(2025, 9, 26, 10, 0)
    assert add_working_days(start, 7) == bj(2025, 10, 13, 18, 0)


def test_weekend_is_skipped():
    assert add_working_days(bj(2025, 11, 14, 9, 30), 1) == bj(2025, 11, 17, 18, 0)  # Friday → Monday


def test_urgent_is_two_hours_and_utilities_a_day():
    now = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)
    assert (due_at(now, tier="general", priority="urgent") - now).total_seconds() == 2 * 3600
    assert (due_at(now, tier="general", priority="normal", text="家里停水两天了") - now).total_seconds() == 86400


def test_complex_takes_longer_than_general():
    now = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)
    assert due_at(now, tier="complex", priority="normal") > due_at(now, tier="general", priority="normal")


def test_years_the_calendar_does_not_know_fall_back_to_weekends():
    assert add_working_days(bj(2099, 1, 2, 9, 0), 1) == bj(2099, 1, 5, 18, 0)  # Friday → Monday

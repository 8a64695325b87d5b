"""Answers to the 回访 question as villagers write them (handlers/villager.py)."""
import pytest

from handlers import texts
from handlers.types import CreateRequest, Rate
from tests.unit.handlers.test_short_messages import MINE, say

PENDING = {"rating_for": ["GC-2026-000120"]}


def rate_of(out):
    return next((a for a in out.actions if isinstance(a, Rate)), None)


@pytest.mark.parametrize("text", ["还是有狗咬人，根本没解决", "还没修好", "不满意", "没人来过", "不行。", "还是老样子"])
def test_unhappy_free_text_is_an_unsatisfied_answer_with_the_comment(text):
    out = say(text, state=PENDING, opens=MINE)
    r = rate_of(out)
    assert (r.number, r.rating, r.satisfied) == ("GC-2026-000120", None, False)
    assert not any(isinstance(a, CreateRequest) for a in out.actions)
    if text.rstrip("。") != "不满意":
        assert r.comment == text  # recorded with the rating (followup.rate)


@pytest.mark.parametrize("text", ["还不错", "是的，解决了", "好了，谢谢", "满意", "修好了，谢谢你们！", "5分"])
def test_happy_free_text_is_a_satisfied_answer(text):
    r = rate_of(say(text, state=PENDING, opens=MINE))
    assert r is not None and (r.satisfied is True or r.rating == 5)


def test_the_old_single_number_state_still_works():
    assert rate_of(say("2", state={"rating_for": "GC-2026-000120"}, opens=MINE)) == Rate("GC-2026-000120", 2, None)


def test_with_two_open_surveys_the_answer_is_for_the_oldest():
    out = say("3", state={"rating_for": ["GC-2026-000007", "GC-2026-000120"]}, opens=MINE)
    assert rate_of(out) == Rate("GC-2026-000007", 3, None)


def test_a_short_text_without_a_cue_is_asked_again_not_filed():
    out = say("狗又来了", state=PENDING, opens=MINE)
    assert out.actions == [] and "GC-2026-000120" in out.reply and "解决了吗" in out.reply


def test_a_long_new_problem_without_a_cue_is_a_new_request():
    out = say("村小学门口的排水沟堵住了，下雨的时候水漫到路上，孩子们上学要蹚水", state=PENDING, opens=MINE)
    assert rate_of(out) is None and any(isinstance(a, CreateRequest) for a in out.actions)


def test_queries_still_work_while_a_survey_is_open():
    out = say("查询", state=PENDING, opens=MINE)
    assert rate_of(out) is None and texts.OPEN_LIST_HEAD in out.reply


@pytest.mark.parametrize("text", ["不满意", "2", "还是没修好"])
def test_a_repeated_answer_after_rating_changes_nothing(text):
    out = say(text, state={"rated": "GC-2026-000120"}, opens=MINE)
    assert out.actions == [] and out.reply == texts.V_ALREADY_RATED.format(number="GC-2026-000120")

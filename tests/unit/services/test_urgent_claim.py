"""The created reply claims an urgent notification only as far as one was queued (issue 12)."""
import pytest

from bot.services.intake import URGENT_CLAIM, URGENT_CLAIM_BO, _honest_reply
from handlers import texts, texts_bo


def test_the_claims_are_the_ones_the_templates_make():
    assert URGENT_CLAIM in texts.CREATED_URGENT
    assert URGENT_CLAIM_BO in texts_bo.CREATED_URGENT


@pytest.mark.parametrize("told, says, never", [
    ([{"team", "secretary"}], "已通知{village}{team}和村书记", "没能"),
    ([{"team"}], "已通知{village}{team}，{due}前处理", "村书记"),
    ([{"secretary"}], "已通知村书记，{due}前处理", "{team}"),
    ([set()], "暂时没能通知到工作队和村书记", "已通知"),
    ([], "暂时没能通知到工作队和村书记", "已通知"),  # no urgent request was created at all
    ([{"team", "secretary"}, {"team"}], "已通知{village}{team}，", "村书记，"),  # every request must hold it
])
def test_urgent_claim_follows_who_was_queued(told, says, never):
    reply = _honest_reply(texts.CREATED_URGENT, told)
    assert says in reply and never not in reply
    assert "120" in reply  # the emergency numbers stay


def test_tibetan_claim_goes_when_it_is_not_all_true():
    bilingual = texts_bo.bilingual(texts_bo.CREATED_URGENT, texts.CREATED_URGENT)
    assert _honest_reply(bilingual, [{"team", "secretary"}]) == bilingual
    reply = _honest_reply(bilingual, [{"team"}])
    assert URGENT_CLAIM_BO not in reply and URGENT_CLAIM not in reply and "已通知{village}{team}，" in reply


def test_other_replies_are_untouched():
    for template in (texts.CREATED, texts.CREATED_REVIEW, texts.CREATED_SEVERAL):
        assert _honest_reply(template, []) == template

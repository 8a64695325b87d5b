"""Who hears about an admin's action: the old team and the villager on a re-routing, the villager
and the team on 代为办结 / 销号, a manually merged duplicate's villager with the cluster."""
from sqlalchemy import select

from bot.models import Member, Outbox, Request
from tests.support.admin import act, login, new_request
from tests.support.wechat import say


def _req(res, number):
    with res.db.session() as s:
        r = s.scalar(select(Request).where(Request.number == number))
        s.expunge(r)
        return r


def _rows(res, number, event):
    with res.db.session() as s:
        rows = s.scalars(select(Outbox).join(Request, Outbox.request_id == Request.id)
                         .where(Request.number == number, Outbox.event == event).order_by(Outbox.id)).all()
        for r in rows:
            s.expunge(r)
        return rows


def _team_member_ids(res, team_id):
    with res.db.session() as s:
        return set(s.scalars(select(Member.id).where(Member.team_id == team_id)))


def test_rerouting_tells_the_old_team_and_the_villager_the_new_team(client, wx, res):
    number = new_request(client, wx, 1, "路灯坏了晚上看不见")
    old_team = _req(res, number).team_id
    login(client, "guoluo")
    act(client, number, "reassign", kind="welfare", reason="队里人手不够")
    away = _rows(res, number, "reassigned_away")
    assert away, "the old team is told"
    assert {r.recipient_member_id for r in away if r.recipient_member_id} <= _team_member_ids(res, old_team) | \
        {m for m in _secretaries(res)}
    assert any("已改派给" in r.payload["data"]["thing3"]["value"] and "社会保障" in r.payload["data"]["thing3"]["value"]
               for r in away if r.channel == "template")
    [told] = _rows(res, number, "rerouted")
    assert told.channel == "villager" and told.recipient_openid.startswith("oVillager1")
    assert "已转交给果洛藏贡麻村社会保障" in told.payload["text"] and number in told.payload["text"]
    # routed back to the first team: news again for both, not swallowed as a duplicate
    act(client, number, "reassign", kind="governance", reason="还是治理队办")
    assert len(_rows(res, number, "rerouted")) == 2
    assert len(_rows(res, number, "reassigned_away")) > len(away)


def _secretaries(res):
    with res.db.session() as s:
        return set(s.scalars(select(Member.id).where(Member.role == "village_secretary")))

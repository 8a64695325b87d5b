"""Who hears about an admin's action: the old team and the villager on a re-routing, the villager
and the team on 代为办结 / 销号, a manually merged duplicate's villager with the cluster."""
from sqlalchemy import select

from bot.models import Member, Outbox, Request
from tests.support.admin import act, login, new_request
from tests.support.wechat import say
from tests.support.records import request_by_number as _req


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


def _villager_texts(res, number):
    return [r.payload["text"] for r in _all_villager_rows(res, number)]


def _all_villager_rows(res, number):
    with res.db.session() as s:
        rows = s.scalars(select(Outbox).join(Request, Outbox.request_id == Request.id)
                         .where(Request.number == number, Outbox.channel == "villager").order_by(Outbox.id)).all()
        for r in rows:
            s.expunge(r)
        return rows


def test_a_manually_merged_duplicate_hears_the_resolution_and_its_status(client, wx, res):
    from tests.support.cadres import cadre_openid

    a = new_request(client, wx, 1, "路灯坏了晚上看不见")
    b = new_request(client, wx, 2, "草原上垃圾太多没人清理")  # not clustered automatically
    assert _req(res, b).duplicate_of_id is None
    login(client, "guoluo")
    act(client, b, "merge", into=a)
    assert any(a in t and "合并" in t for t in _villager_texts(res, b))  # told it is handled with a
    from tests.support.wechat import openid

    assert b in say(client, wx, openid(2), "查").text  # still among the villager's requests in progress
    cadre = cadre_openid("guoluo-governance-2")
    say(client, wx, cadre, f"签收 {a}")
    say(client, wx, cadre, f"办结 {a} 路灯已经修好了")
    assert _req(res, b).status == "resolved"
    assert any("已办结" in t and "路灯已经修好了" in t for t in _villager_texts(res, b))


def test_merging_into_a_request_without_a_team_is_refused(client, wx, res):
    from tests.support.admin import flashes

    a = new_request(client, wx, 1, "hello, the road lamp is broken")  # needs review: no team yet
    b = new_request(client, wx, 2, "路灯坏了晚上看不见")
    login(client, "guoluo")
    r = act(client, b, "merge", into=a)
    assert "只能合并到已派给工作队" in flashes(client.get(r.headers["Location"]).get_data(as_text=True))[0]
    assert _req(res, b).duplicate_of_id is None


def test_admin_resolve_and_close_tell_the_villager_and_the_team(client, wx, res):
    a = new_request(client, wx, 1, "路灯坏了晚上看不见")
    b = new_request(client, wx, 2, "草原上垃圾太多没人清理")
    team_a = _req(res, a).team_id
    login(client, "guoluo")
    act(client, a, "resolve", reason="村委会请电工修好了")
    assert any("已办结" in t and "村委会请电工修好了" in t for t in _villager_texts(res, a))
    told = _rows(res, a, "finished_for_team")
    assert told and {r.recipient_member_id for r in told if r.recipient_member_id} & _team_member_ids(res, team_a)
    assert any("代为办结" in r.payload["data"]["thing3"]["value"] for r in told if r.channel == "template")
    act(client, b, "close", reason="已由乡里统一清运")
    assert any("已销号" in t and "统一清运" in t for t in _villager_texts(res, b))
    assert _rows(res, b, "finished_for_team")
    # closing a request that was already resolved tells nobody again
    n = len(_villager_texts(res, a))
    act(client, a, "close", reason="村民确认")
    assert len(_villager_texts(res, a)) == n


def test_admin_resolve_passes_on_to_the_duplicates(client, wx, res):
    a = new_request(client, wx, 1, "路灯坏了晚上看不见")
    b = new_request(client, wx, 2, "草原上垃圾太多没人清理")
    login(client, "guoluo")
    act(client, b, "merge", into=a)
    act(client, a, "resolve", reason="村委会请电工修好了")
    assert _req(res, b).status == "resolved"
    assert any("村委会请电工修好了" in t for t in _villager_texts(res, b))

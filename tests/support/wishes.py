"""Micro-wish helpers: claimers (party members, a partner unit with its contact), a wish
submitted through the webhook, and the reviewer's signed link from the outbox."""
from __future__ import annotations

import re

from sqlalchemy import delete, select
from werkzeug.security import generate_password_hash

from bot.models import County, Member, Outbox, Request, Unit, UnitMember, Wish
from bot.services.seed import demo_openid
from tests.support.wechat import say, villager_of

PASSWORD = "xinyuan2026"
PARTY = {"party-zhang": "张建国", "party-li": "李红梅", "party-wang": "王志强"}  # party-wang: the unit's contact
UNIT_LOGIN = "unit-nongye"
UNIT_NAME = "县农业农村局"
NUMBER = re.compile(r"GC-\d{4}-\d{6}")


def add_claimers(res) -> dict[str, int]:
    """Party members and a unit (fast password hashes: tests, not production)."""
    pw = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    ids = {}
    with res.db.session() as s:
        county_id = s.scalar(select(County.id).order_by(County.id).limit(1))
        unit = Unit(county_id=county_id, name=UNIT_NAME, login=UNIT_LOGIN, password_hash=pw,
                    contact_name="王志强", contact_openid=demo_openid(UNIT_LOGIN))
        s.add(unit)
        for login, name in PARTY.items():
            m = Member(login=login, name=name, role="party_member", county_id=county_id, password_hash=pw,
                       openid=demo_openid(login))
            s.add(m)
            s.flush()
            ids[login] = m.id
        s.add(UnitMember(member_id=ids["party-wang"], unit_id=unit.id))
        s.flush()
        ids[UNIT_LOGIN] = unit.id
    return ids


def remove_claimers(res) -> None:
    with res.db.session() as s:
        member_ids = list(s.scalars(select(Member.id).where(Member.login.in_(list(PARTY)))))
        s.execute(delete(Wish))
        s.execute(delete(Outbox).where(Outbox.recipient_member_id.in_(member_ids)))
        s.execute(delete(UnitMember))
        s.execute(delete(Unit))
        s.execute(delete(Member).where(Member.id.in_(member_ids)))


def openid_of(login: str) -> str:
    return demo_openid(login)


def submit(client, wx, n: int, text: str, village: str = "果洛藏贡麻村") -> tuple[str, str]:
    """A villager follows by the village's QR code and sends a wish; (openid, number)."""
    me = villager_of(client, wx, n, village)
    reply = say(client, wx, me, text).text
    m = NUMBER.search(reply)
    assert m and "微心愿" in reply, reply
    return me, m.group(0)


def wish(res, number: str) -> Wish:
    with res.db.session() as s:
        w = s.scalar(select(Wish).join(Request, Request.id == Wish.request_id).where(Request.number == number))
        w.request.events, w.request.attachments  # load while attached
        return w


def review_url(res, number: str, login: str = "guoluo") -> str:
    with res.db.session() as s:
        mid = s.scalar(select(Member.id).where(Member.login == login))
        rid = s.scalar(select(Request.id).where(Request.number == number))
        return s.scalar(select(Outbox.payload).where(Outbox.request_id == rid, Outbox.event == "wish_review",
                                                     Outbox.recipient_member_id == mid))["url"]


def short(number: str) -> str:
    return str(int(number[-6:]))

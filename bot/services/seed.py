"""Seed the demo county (config/county_demo.yaml). Idempotent: running it twice changes nothing."""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from bot.models import County, Member, Team, Township, Village
from config import load_yaml, team_kinds


def demo_openid(seed: str) -> str:
    """A WeChat-shaped openid (28 chars) that stays the same across runs."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return ("o" + digest)[:28]


def _member(session: Session, login: str | None, **fields) -> Member:
    m = session.scalar(select(Member).where(Member.login == login)) if login else None
    if m is None:
        m = Member(login=login, **fields)
        session.add(m)
    return m


def seed_demo(session: Session) -> dict:
    data = load_yaml("county_demo.yaml")
    cfg = data["county"]
    password_hash = generate_password_hash(data["demo_password"])
    names = data["member_names"]
    county = session.scalar(select(County).where(County.code == cfg["code"]))
    if county is not None:
        return {"created": False, "county_id": county.id}
    county = County(code=cfg["code"], name=cfg["name"])
    session.add(county)
    session.flush()
    admin = cfg["county_admin"]
    _member(session, admin["login"], name=admin["name"], role="county_admin", county_id=county.id,
            password_hash=password_hash, openid=demo_openid(admin["login"]))
    n = 0
    for t in cfg["townships"]:
        township = Township(county_id=county.id, name=t["name"])
        session.add(township)
        session.flush()
        sup = t["supervisor"]
        _member(session, sup["login"], name=sup["name"], role="township_supervisor", county_id=county.id,
                township_id=township.id, password_hash=password_hash, openid=demo_openid(sup["login"]))
        for v in t["villages"]:
            village = Village(township_id=township.id, name=v["name"])
            session.add(village)
            session.flush()
            sec = v["secretary"]
            _member(session, sec["login"], name=sec["name"], role="village_secretary", county_id=county.id,
                    township_id=township.id, village_id=village.id, password_hash=password_hash,
                    openid=demo_openid(sec["login"]))
            for kind in team_kinds():
                team = Team(village_id=village.id, kind=kind["key"], name=kind["name"])
                session.add(team)
                session.flush()
                for role in ("team_leader", "team_member"):
                    login = f"{sec['login']}-{kind['key']}" + ("" if role == "team_leader" else "-2")
                    name = names[n % len(names)] + ("队长" if role == "team_leader" else "")
                    n += 1
                    _member(session, login, name=name, role=role, county_id=county.id, township_id=township.id,
                            village_id=village.id, team_id=team.id, password_hash=password_hash,
                            openid=demo_openid(login))
    session.flush()
    return {"created": True, "county_id": county.id}


def demo_logins() -> list[tuple[str, str, str]]:
    """(role label, login, password) for the printout of `make run`."""
    data = load_yaml("county_demo.yaml")
    cfg, pw = data["county"], data["demo_password"]
    t0 = cfg["townships"][0]
    v0 = t0["villages"][0]["secretary"]["login"]
    return [
        ("县级管理员", cfg["county_admin"]["login"], pw),
        ("乡镇督导", t0["supervisor"]["login"], pw),
        ("村党支部书记", v0, pw),
        ("工作队队长", f"{v0}-governance", pw),
        ("工作队队员", f"{v0}-governance-2", pw),
    ]

"""Play the dialog corpus (tests/dialogs/corpus, format: tests/dialogs/FORMAT.md) through the
real webhook, with cadres acting by WeChat commands, the console's services for 留言 and
回访, and real RQ workers draining after every turn. Each villager turn is checked against
what the corpus says it must become; the result is a table of pass rates per act.
"""
from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import time_machine
import yaml
from sqlalchemy import func, select

from bot.models import InboundMessage, Member, Outbox, Request, RequestEvent, Team, Villager
from bot.services import admin_actions, followup, wishes
from bot.services.clock import utcnow
from nlp import tibetan
from tests.support.workers import drain

CORPUS = Path(__file__).resolve().parent / "corpus"
HOLDOUT = Path(__file__).resolve().parent / "holdout"  # written apart from the rules; never tuned on
TURN_KEYS = ("v", "voice", "photo", "location", "cadre", "ask", "survey", "wait")
DEFAULT_NEW = {"new": 1, "wish": 1, "several": 2}
VILLAGE = "果洛藏贡麻村"
# the act's mark on the request it concerns
EVENT_OF = {"supplement": ("supplement", "attachment"), "chase": ("chase",), "answer": ("villager_answer", "attachment"),
            "thanks": ("thanks", "wish_confirmed")}
# acts recorded under a more specific name: thanks for a delivered wish confirms it (收到了 谢谢多杰)
SAME_ACT = {"wish_confirm": "thanks"}
# notifications that are the point of the act, not a cadre woken for nothing: the thanks is passed
# on to whoever fulfilled the wish
MEANT_FOR = {"thanks": ("wish_thanks",)}
MEDIA_BURST = timedelta(minutes=30)  # intake.MEDIA_NOTIFY_MINUTES: a photo after a photo tells nobody again


def load(paths=None, folder: Path = CORPUS) -> list[dict]:
    dialogs = []
    for path in sorted(paths or folder.glob("*.yaml")):
        for d in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            d["file"] = path.name
            for turn in d.get("turns", []):
                if True in turn:  # YAML 1.1 reads a bare `on:` key as the boolean True
                    turn["on"] = turn.pop(True)
            dialogs.append(d)
    return dialogs


@dataclass
class TurnResult:
    dialog: str
    act: str
    text: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    got_act: str | None = None
    reply: str = ""
    routing: bool | None = None  # the team the corpus names was reached (routing quality: issue 12)


@dataclass
class Report:
    turns: list[TurnResult] = field(default_factory=list)
    dialogs_ok: int = 0
    dialogs: int = 0
    errors: list[str] = field(default_factory=list)  # the runner or the service broke: the test fails
    # a dialog that ended otherwise than the corpus says (counts of requests, a turn that could not
    # be played because an earlier one went wrong): part of the pass rate, listed in the artifact
    mismatches: list[str] = field(default_factory=list)

    def by_act(self) -> dict[str, tuple[int, int]]:
        total, ok = Counter(), Counter()
        for t in self.turns:
            total[t.act] += 1
            ok[t.act] += t.ok
        return {a: (ok[a], total[a]) for a in sorted(total)}

    @property
    def passed(self) -> int:
        return sum(t.ok for t in self.turns)

    def table(self) -> str:
        lines = ["| act | passed | turns | rate |", "|---|---|---|---|"]
        for act, (ok, n) in self.by_act().items():
            lines.append(f"| {act} | {ok} | {n} | {ok / n:.0%} |")
        n = len(self.turns)
        lines.append(f"| **all** | {self.passed} | {n} | {self.passed / max(n, 1):.0%} |")
        lines.append(f"\ndialogs passing every turn: {self.dialogs_ok} / {self.dialogs}")
        routed = [t.routing for t in self.turns if t.routing is not None]
        if routed:
            lines.append(f"\nrouting (the team the corpus names; not part of the act's pass): "
                         f"{sum(routed)} / {len(routed)} = {sum(routed) / len(routed):.0%}")
        return "\n".join(lines)

    def failures(self, limit: int = 400) -> str:
        out = []
        for t in self.turns:
            if not t.ok or t.routing is False:
                out.append(f"[{t.dialog}] expect {t.act}, got {t.got_act}: {t.text!r} → {'; '.join(t.problems)}"
                           f"\n    reply: {t.reply[:120]!r}")
        return "\n".join(out[:limit])


class DialogDiverged(Exception):
    """An earlier turn went otherwise than the corpus says, so this one cannot be played."""


class Player:
    def __init__(self, client, wx, res, deliver, openid_of):
        self.client, self.wx, self.res = client, wx, res
        self.deliver, self.openid_of = deliver, openid_of
        self.media = 0

    # ---- helpers ---------------------------------------------------------------------
    def _requests(self, villager_id: int) -> list[Request]:
        with self.res.db.session() as s:
            rows = list(s.scalars(select(Request).where(Request.villager_id == villager_id).order_by(Request.id)))
            for r in rows:
                s.expunge(r)
            return rows

    def _villager_id(self, openid: str) -> int:
        with self.res.db.session() as s:
            return s.scalar(select(Villager.id).where(Villager.openid == openid))

    def _cadre(self, s, req: Request) -> Member | None:
        stmt = (select(Member).where(Member.team_id == req.team_id, Member.active.is_(True), Member.openid.is_not(None))
                .order_by(Member.role.desc(), Member.id))  # team_member < team_leader: leaders first
        return s.scalars(stmt).first()

    def _secretary(self, s, req: Request) -> Member:
        return s.scalars(select(Member).where(Member.village_id == req.village_id, Member.role == "village_secretary")
                         .order_by(Member.id)).first()

    def _route_if_needed(self, number: str) -> None:
        """A request still waiting for a person is routed (as the secretary would) before its cadre acts."""
        with self.res.db.session() as s:
            req = s.scalar(select(Request).where(Request.number == number))
            if req.team_id is not None or req.kind == "wish":
                return
            kind = req.label if req.label and req.label != "wish" else "governance"
            admin_actions.route(s, self.res, self._secretary(s, req), req, kind, train=False)
        drain(self.res)

    def _wish_delivered(self, number: str, now) -> None:
        with self.res.db.session() as s:
            req = s.scalar(select(Request).where(Request.number == number))
            wish = s.scalar(select(wishes.Wish).where(wishes.Wish.request_id == req.id))
            secretary = self._secretary(s, req)
            if wish.status == "pending":
                wishes.approve(s, self.res, wish, secretary, req.text, "other", now)
            claimer = wishes.claimer_for_member(s, secretary)
            if wish.status == "open":
                wishes.claim(s, self.res, wish.id, claimer, now)
            s.flush()
            if wish.status == "claimed":
                wishes.fulfil(s, self.res, wish, claimer, "已送到", "proof-media", None, now)
        drain(self.res)

    def _cadre_turn(self, spec: str, number: str, now) -> None:
        verb, _, rest = spec.strip().partition(" ")
        rest = rest.strip() or "已处理"
        with self.res.db.session() as s:
            req = s.scalar(select(Request).where(Request.number == number)) if number else None
            if req is None:
                raise DialogDiverged(f"no request for the cadre to {verb}: an earlier turn made none")
            is_wish = req.kind == "wish"
        if is_wish:
            if verb == "resolve":
                self._wish_delivered(number, now)
            return
        self._route_if_needed(number)
        with self.res.db.session() as s:
            req = s.scalar(select(Request).where(Request.number == number))
            cadre = self._cadre(s, req)
            openid, status = (cadre.openid if cadre else None), req.status
        if openid is None:
            raise AssertionError(f"no cadre with WeChat for {number}")
        if verb in ("resolve", "progress") and status in ("assigned", "reopened"):
            self.deliver(self.client, self.wx, self.wx.text(openid, f"签收 {number}"))
        command = {"accept": f"签收 {number}", "progress": f"进展 {number} {rest}",
                   "resolve": f"办结 {number} {rest}"}[verb]
        r = self.deliver(self.client, self.wx, self.wx.text(openid, command))
        assert r.status == 200, r
        drain(self.res)

    # ---- one dialog ----------------------------------------------------------------------
    def play(self, d: dict, index: int, report: Report) -> None:
        openid = self.openid_of(f"dlg{index}")
        r = self.deliver(self.client, self.wx, self.wx.event(openid, "subscribe", EventKey=f"qrscene_{VILLAGE}"))
        assert r.status == 200, r
        vid = self._villager_id(openid)
        numbers: list[str] = []
        all_ok = True
        start = utcnow()
        with time_machine.travel(start, tick=True) as traveller:
            for turn in d["turns"]:
                key = next(k for k in TURN_KEYS if k in turn)
                on = turn.get("on")
                target = numbers[on - 1] if on and on <= len(numbers) else (numbers[-1] if numbers else None)
                if key == "wait":
                    m = re.fullmatch(r"\s*(\d+)\s*([hd])\s*", str(turn["wait"]))
                    traveller.shift(timedelta(hours=int(m.group(1)) * (24 if m.group(2) == "d" else 1)))
                    continue
                if key == "cadre":
                    self._cadre_turn(str(turn["cadre"]), target, utcnow())
                    continue
                if key == "ask":
                    with self.res.db.session() as s:
                        req = s.scalar(select(Request).where(Request.number == target))
                        admin_actions.message_villager(s, self.res, self._secretary(s, req), req, str(turn["ask"]))
                    drain(self.res)
                    continue
                if key == "survey":
                    with self.res.db.session() as s:
                        req = s.scalar(select(Request).where(Request.number == target))
                        followup.send_survey(s, self.res, req, utcnow())
                    drain(self.res)
                    continue
                res = self._villager_turn(d, turn, key, openid, vid, numbers)
                report.turns.append(res)
                all_ok &= res.ok
        report.dialogs += 1
        report.dialogs_ok += all_ok
        expected = d.get("requests")
        if expected is not None and len(self._requests(vid)) != expected:
            report.mismatches.append(f"[{d['id']}] {len(self._requests(vid))} requests at the end, expected {expected}")
            report.dialogs_ok -= all_ok

    def _send(self, key: str, turn: dict, openid: str, numbers: list[str] = ()):
        wx = self.wx
        if key == "v":  # {1} in a villager's text: request 1's real number (查一下 {1})
            text = re.sub(r"\{(\d+)\}", lambda m: numbers[int(m.group(1)) - 1] if int(m.group(1)) <= len(numbers)
                          else m.group(0), str(turn["v"]))
            return self.deliver(self.client, wx, wx.text(openid, text))
        if key == "voice":
            self.media += 1
            return self.deliver(self.client, wx, wx.voice(openid, f"voice-media-{self.media}", str(turn["voice"])))
        if key == "photo":
            self.media += 1
            return self.deliver(self.client, wx, wx.image(openid, f"photo-media-{self.media}"))
        return self.deliver(self.client, wx, wx.location(openid, 37.33, 100.13, str(turn["location"])))

    def _villager_turn(self, d, turn, key, openid, vid, numbers) -> TurnResult:
        expect = turn.get("expect", "new")
        text = str(turn.get(key, ""))
        before = {r.number for r in self._requests(vid)}
        with self.res.db.session() as s:
            events_before = s.scalar(select(func.max(RequestEvent.id))) or 0
            outbox_before = s.scalar(select(func.max(Outbox.id))) or 0
        r = self._send(key, turn, openid, numbers)
        drain(self.res)
        result = TurnResult(d["id"], expect, text, True, reply=r.text)
        if r.status != 200:
            result.ok, result.problems = False, [f"HTTP {r.status}"]
            return result
        after = self._requests(vid)
        created = [x for x in after if x.number not in before]
        numbers += [x.number for x in created]
        with self.res.db.session() as s:
            inbound = s.scalars(select(InboundMessage).where(InboundMessage.openid == openid)
                                .order_by(InboundMessage.id.desc()).limit(1)).first()
            result.got_act = inbound.act if inbound else None
            events = list(s.execute(select(RequestEvent.kind, Request.number).join(Request)
                                    .where(RequestEvent.id > events_before, RequestEvent.actor == "villager")))
            told = s.scalar(select(func.count(Outbox.id)).where(
                Outbox.id > outbox_before, Outbox.channel != "villager",
                Outbox.event.not_in(MEANT_FOR.get(expect, ()))))
            target = numbers[turn["on"] - 1] if turn.get("on") and turn["on"] <= len(numbers) else None
            target_req = s.scalar(select(Request).where(Request.number == target)) if target else None
            burst = bool(target_req) and key in ("photo", "location") and s.scalar(
                select(func.count(Outbox.id)).where(Outbox.request_id == target_req.id, Outbox.event == "supplement",
                                                    Outbox.created_at >= utcnow() - MEDIA_BURST)) > 0
            # a wish, or a request no team holds yet (a person reviews it, e.g. Tibetan): the
            # supplement waits on the request for whoever takes it up, nobody is paged
            wish = target_req is not None and (target_req.kind == "wish" or target_req.team_id is None)
        problems = result.problems
        if SAME_ACT.get(result.got_act, result.got_act) != expect:
            problems.append(f"act {result.got_act}")
        want_new = turn.get("new", DEFAULT_NEW.get(expect, 0))
        if len(created) != want_new:
            problems.append(f"{len(created)} requests made, expected {want_new}")
        team = turn.get("team")
        if team and created:
            teams = team if isinstance(team, list) else [team]
            got = [x.label for x in created]
            result.routing = sorted(got) == sorted(teams[:len(got)]) or got == teams
            if not result.routing:
                result.reply = f"[routed {got}, corpus says {teams}] " + result.reply
        on = turn.get("on")
        if on and expect in EVENT_OF and on <= len(numbers):
            number = numbers[on - 1]
            if not any(kind in EVENT_OF[expect] and n == number for kind, n in events):
                problems.append(f"no {EVENT_OF[expect][0]} on request {on}")
        # a wish's photo waits for the secretary's review of the wish: nobody is paged for it
        if expect in ("supplement", "answer") and not problems and not told and not burst and not wish:
            problems.append("nobody told")
        if expect in ("thanks", "vague", "chatter", "greeting", "query") and told:
            problems.append(f"{told} cadre notification(s) for nothing")
        for want in turn.get("reply_has") or []:
            want = re.sub(r"\{(\d+)\}", lambda m: numbers[int(m.group(1)) - 1] if int(m.group(1)) <= len(numbers)
                          else m.group(0), str(want))
            if want not in r.text:
                problems.append(f"reply lacks {want!r}")
        if turn.get("reply_script") == "tibetan" and not tibetan.has_tibetan(r.text):
            problems.append("reply not in Tibetan")
        result.ok = not problems
        return result


def run(client, wx, res, deliver, openid_of, dialogs=None, reset=None, only: str | None = None) -> Report:
    """`only`: a regular expression on dialog ids (CUNSHENG_DIALOGS in the test) to play a few."""
    report = Report()
    if only:
        dialogs = [d for d in (dialogs if dialogs is not None else load()) if re.search(only, d["id"])]
    t0 = time.perf_counter()
    for i, d in enumerate(dialogs if dialogs is not None else load()):
        if reset is not None:
            reset()
        try:
            Player(client, wx, res, deliver, openid_of).play(d, i, report)
        except DialogDiverged as exc:
            report.mismatches.append(f"[{d['id']}] stopped: {exc}")
            report.dialogs += 1
        except Exception as exc:  # noqa: BLE001 - a broken dialog is a failure, the run goes on
            report.errors.append(f"[{d['id']}] {exc.__class__.__name__}: {exc}")
            report.dialogs += 1
    report.seconds = time.perf_counter() - t0
    return report

"""Admin tests also write the audit log, passwords and the region tree: put them back after each test."""
import pytest
from sqlalchemy import delete, select, update
from werkzeug.security import generate_password_hash

from bot.models import AuditLog, BindingCode, Grid, Member, Team, Township, Village
from tests.support.admin import PASSWORD

_baseline: dict[str, dict] = {}
_HASH = generate_password_hash(PASSWORD)


def _ids(s, model) -> int:
    return s.scalar(select(model.id).order_by(model.id.desc()).limit(1)) or 0


@pytest.fixture(autouse=True)
def _restore_admin_state(res, backend):
    with res.db.session() as s:
        base = _baseline.setdefault(backend.name, {m.__name__: _ids(s, m) for m in (Member, Team, Village, Township, Grid)})
    _restore(res, base)  # also before: a database kept from an earlier run may hold changed passwords
    yield
    _restore(res, base)


def _restore(res, base) -> None:
    with res.db.session() as s:
        s.execute(delete(AuditLog))
        s.execute(delete(BindingCode))
        s.execute(update(Member).where(Member.team_id.in_(select(Team.id).where(Team.id > base["Team"])))
                  .values(team_id=None))
        s.execute(delete(Member).where(Member.id > base["Member"]))
        s.execute(delete(Grid).where(Grid.id > base["Grid"]))
        s.execute(delete(Team).where(Team.id > base["Team"]))
        s.execute(delete(Village).where(Village.id > base["Village"]))
        s.execute(delete(Township).where(Township.id > base["Township"]))
        s.execute(update(Member).values(password_hash=_HASH, active=True))
        for model in (Team, Village, Township, Grid):
            s.execute(update(model).values(active=True))
    from bot.services import catalog

    catalog.invalidate()

"""All models, re-exported for Alembic and callers."""
from bot.db import Base  # noqa: F401
from bot.models.admin import AuditLog, RequestSearch  # noqa: F401
from bot.models.messaging import Account, InboundMessage, Outbox  # noqa: F401
from bot.models.people import ROLES, Member, Villager  # noqa: F401
from bot.models.region import County, Grid, Team, Township, Village  # noqa: F401
from bot.models.requests import (  # noqa: F401
    OPEN_STATUSES,
    STATUS_LABELS,
    Attachment,
    BindingCode,
    Counter,
    Request,
    RequestEvent,
    TrainingExample,
)
from bot.models.wishes import WISH_ROLES, Unit, UnitMember, Wish  # noqa: F401

"""Read queries of the one-stop shop: the officer's inbox, the unit's dossier list, the dossier
page. No state changes here (those are in ``services``).

The inbox is a merge of a few small queries, each ordered by a due moment and walking one of
the indexes of ``models.py``:

- steps assigned to the officer: ``step_assignee_state_due`` (assignee, state, due_at);
- unassigned steps at an agency where the officer holds the step's role (or leads it):
  ``step_agency_state_due`` (agency, state, due_at), one query per agency;
- dossiers waiting at the officer's one-stop unit (result ready, waiting for supplements):
  ``dossier_agency_state_due`` (agency, state, due_at) — a dossier's deciding agency is the
  government of its receiving one-stop unit, so ``agency`` is known from the unit.

Each query takes at most ``size + 1`` rows after the cursor; the merge keeps the first
``size``. Pages go forward with a ``(due moment, dossier id)`` cursor; nothing is counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import Membership, Role, User
from egov.core import calendar, text
from egov.core.models import AuditEvent
from egov.core.pagination import keyset_page
from egov.dossiers.models import OPEN_STATES, Dossier, DossierStep, State, StepState
from egov.organizations.models import Agency

DEFAULT_PAGE_SIZE = 30

#: dossier states in which the active step's officer can act
WORKING_STATES = (State.RECEIVED, State.IN_PROCESS)

TAB_TODO = "todo"
TAB_SUPPLEMENT = "supplement"
TAB_RETURN = "return"
TAB_ALL = "all"
TABS = (TAB_TODO, TAB_SUPPLEMENT, TAB_RETURN, TAB_ALL)


# --- the officer's units -----------------------------------------------------------------------


def onestop_units(user) -> list[Agency]:
    """The one-stop units where ``user`` receives dossiers: the agencies of their active
    one-stop memberships (a unit of kind "onestop", or a government without one), still in
    force."""
    if user is None or not user.is_authenticated:
        return []
    agencies = (
        Agency.objects.active()
        .filter(
            memberships__user=user,
            memberships__is_active=True,
            memberships__role=Role.ONESTOP,
        )
        .distinct()
        .order_by("path")
    )
    return [
        a for a in agencies if a.kind == Agency.Kind.ONESTOP or a.kind in Agency.GOVERNMENT_KINDS
    ]


def procedure_level_of(government: Agency) -> str:
    """The catalog level (``procedures.AgencyLevel``) handled by a government."""
    if government.kind in (Agency.Kind.PROVINCE, Agency.Kind.DISTRICT):
        return government.kind
    return "commune"


def _roles_by_agency(user) -> dict[int, set[str]]:
    roles: dict[int, set[str]] = defaultdict(set)
    for agency_id, role in Membership.objects.filter(user=user, is_active=True).values_list(
        "agency_id", "role"
    ):
        roles[agency_id].add(role)
    return roles


def members_of(agency_id: int) -> QuerySet[User]:
    """Active officers of an agency (choices for assignment and hand-over)."""
    return (
        User.objects.filter(
            is_active=True, memberships__agency_id=agency_id, memberships__is_active=True
        )
        .distinct()
        .order_by("full_name", "username")
    )


# --- time left -----------------------------------------------------------------------------------

OVERDUE, TODAY, SOON, NORMAL, PAUSED = "overdue", "today", "soon", "normal", "paused"


def format_working(value: timedelta) -> str:
    """Working time as officers count it: ``"2 ngày 3 giờ"`` (a day = the office hours)."""
    daily = calendar.get_calendar().hours.daily_total
    days, rest = divmod(value, daily)
    parts = []
    if days:
        parts.append(_("%(days)s ngày") % {"days": days})
    if rest >= timedelta(minutes=1) or not days:
        if rest < timedelta(minutes=1):
            return _("dưới 1 phút")
        parts.append(calendar.format_duration(rest))
    return " ".join(parts)


@dataclass
class TimeLeft:
    urgency: str  # overdue | today | soon | normal | paused
    label: str

    @property
    def css(self) -> str:
        return f"egov-due-{self.urgency}"


def time_left(due_at: dt.datetime | None, now: dt.datetime | None = None, *, paused_at=None):
    """How much working time is left before ``due_at`` and how urgent that is."""
    if due_at is None:
        return None
    now = now or timezone.now()
    if paused_at is not None:
        left = calendar.working_time_between(paused_at, due_at)
        return TimeLeft(PAUSED, _("Tạm dừng (còn %(left)s)") % {"left": format_working(left)})
    if due_at <= now:
        late = calendar.working_time_between(due_at, now)
        return TimeLeft(OVERDUE, _("Quá hạn %(late)s") % {"late": format_working(late)})
    left = calendar.working_time_between(now, due_at)
    label = _("Còn %(left)s") % {"left": format_working(left)}
    if timezone.localdate(due_at) == timezone.localdate(now):
        return TimeLeft(TODAY, label)
    if left <= timedelta(hours=settings.EGOV_DOSSIER_DUE_SOON_HOURS):
        return TimeLeft(SOON, label)
    return TimeLeft(NORMAL, label)


# --- the inbox -------------------------------------------------------------------------------------


@dataclass
class InboxRow:
    dossier: Dossier
    step: DossierStep | None
    due_at: dt.datetime | None
    time_left: TimeLeft | None = None

    @property
    def sort_key(self):
        return (self.due_at or dt.datetime.max.replace(tzinfo=dt.UTC), self.dossier.pk)


@dataclass
class InboxPage:
    """Same attributes as ``core.pagination.Page`` so ``office/_pager.html`` renders it."""

    items: list
    cursor: str | None
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def object_list(self) -> list:
        return self.items

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def encode_cursor(due_at: dt.datetime, dossier_id: int) -> str:
    micros = int(due_at.timestamp()) * 1_000_000 + due_at.microsecond
    return f"{micros}.{dossier_id}"


def decode_cursor(raw) -> tuple[dt.datetime, int] | None:
    try:
        micros, pk = str(raw).split(".")
        moment = dt.datetime.fromtimestamp(int(micros) // 1_000_000, tz=dt.UTC).replace(
            microsecond=int(micros) % 1_000_000
        )
        return moment, int(pk)
    except (ValueError, TypeError, OverflowError, OSError):
        return None


def _after(cursor, due_field: str, id_field: str) -> Q:
    due, pk = cursor
    return Q(**{f"{due_field}__gt": due}) | Q(**{due_field: due, f"{id_field}__gt": pk})


_STEP_RELATED = ("dossier", "dossier__procedure", "agency", "assignee")
_DOSSIER_RELATED = ("procedure", "intake_agency")


def _step_queries(user, states) -> list[QuerySet]:
    """Active steps waiting for ``user``: assigned to them, or unassigned at an agency where
    they hold the step's role (a leader may take any step of their agency)."""
    base = DossierStep.objects.filter(state=StepState.ACTIVE, dossier__state__in=states)
    queries = [base.filter(assignee=user)]
    for agency_id, roles in _roles_by_agency(user).items():
        qs = base.filter(agency_id=agency_id, assignee__isnull=True)
        if Role.LEADER not in roles:
            qs = qs.filter(role__in=sorted(roles))
        queries.append(qs)
    return queries


def _unit_queries(user, state: str, units=None) -> list[QuerySet]:
    """Dossiers in ``state`` received at the officer's one-stop units."""
    return [
        Dossier.objects.filter(intake_agency=unit, state=state)
        for unit in (onestop_units(user) if units is None else units)
    ]


def inbox(
    user, tab: str = TAB_TODO, *, cursor=None, size: int = DEFAULT_PAGE_SIZE, now=None, units=None
):
    """One page of the officer's inbox, earliest due first. ``units``: the officer's one-stop
    units when the caller already has them."""
    size = max(1, min(int(size), 200))
    after = decode_cursor(cursor) if cursor else None
    rows: list[InboxRow] = []
    if tab == TAB_TODO:
        for qs in _step_queries(user, WORKING_STATES):
            if after:
                qs = qs.filter(_after(after, "due_at", "dossier_id"))
            # Two steps: pick the page on the (…, due_at) index alone, then load its rows with
            # their relations. One query joining everything makes PostgreSQL's planner give up
            # the index order and sort every active step of the officer.
            ids = list(qs.order_by("due_at", "dossier_id").values_list("pk", flat=True)[: size + 1])
            steps = DossierStep.objects.filter(pk__in=ids).select_related(*_STEP_RELATED)
            rows.extend(InboxRow(s.dossier, s, s.due_at) for s in steps)
    unit_state = {
        TAB_TODO: State.RESULT_READY,
        TAB_RETURN: State.RESULT_READY,
        TAB_SUPPLEMENT: State.SUPPLEMENT,
    }.get(tab)
    if unit_state:
        for qs in _unit_queries(user, unit_state, units):
            if after:
                qs = qs.filter(_after(after, "due_at", "id"))
            dossiers = qs.select_related(*_DOSSIER_RELATED).order_by("due_at", "id")
            rows.extend(InboxRow(d, None, d.due_at) for d in dossiers[: size + 1])
    rows.sort(key=lambda r: r.sort_key)
    seen: set[int] = set()
    unique = []
    for row in rows:
        if row.dossier.pk not in seen:
            seen.add(row.dossier.pk)
            unique.append(row)
    page, more = unique[:size], len(unique) > size
    attach_steps(page)
    now = now or timezone.now()
    for row in page:
        row.time_left = time_left(row.due_at, now, paused_at=row.dossier.paused_at)
    next_cursor = (
        encode_cursor(page[-1].due_at, page[-1].dossier.pk) if more and page[-1].due_at else None
    )
    return InboxPage(items=page, cursor=cursor if after else None, next_cursor=next_cursor)


def attach_steps(rows: list[InboxRow]) -> None:
    """Rows that came from the dossier table show their active step too (one query)."""
    missing = [r for r in rows if r.step is None]
    if not missing:
        return
    steps = DossierStep.objects.filter(
        dossier_id__in=[r.dossier.pk for r in missing], state=StepState.ACTIVE
    ).select_related("agency", "assignee")
    by_dossier = {}
    for step in steps.order_by("order"):
        by_dossier.setdefault(step.dossier_id, step)
    for row in missing:
        row.step = by_dossier.get(row.dossier.pk)


# --- the unit's dossier list ----------------------------------------------------------------------


@dataclass
class DossierFilter:
    state: str = ""
    code: str = ""
    applicant: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def unit_dossiers(user, filters: DossierFilter | None = None) -> QuerySet[Dossier]:
    """Every dossier the officer may see (``Dossier.objects.visible_to``), filtered; paginate
    with ``keyset_page`` on ``id``."""
    f = filters or DossierFilter()
    qs = Dossier.objects.visible_to(user).select_related(*_DOSSIER_RELATED)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.code:
        qs = qs.filter(code__startswith=f.code.strip())
    applicant = " ".join(f.applicant.split())
    if applicant:
        digits = applicant.replace(" ", "")
        if digits.isdigit() and len(digits) == 12:
            qs = qs.filter(applicant_id_number=digits)
        elif digits.isdigit() or "-" in digits and digits.replace("-", "").isdigit():
            qs = qs.filter(Q(applicant_tax_code=digits) | Q(applicant_phone__contains=digits))
        else:
            qs = text.search(qs, applicant, ["applicant_name"])
    if f.received_from:
        qs = qs.filter(received_at__gte=_day_start(f.received_from))
    if f.received_to:
        qs = qs.filter(received_at__lt=_day_start(f.received_to + dt.timedelta(days=1)))
    return qs


def unit_page(user, filters: DossierFilter | None = None, *, cursor=None, size=30, now=None):
    """One page of :func:`unit_dossiers`, newest first, as inbox rows."""
    page = keyset_page(unit_dossiers(user, filters), key="id", cursor=cursor, size=size)
    rows = [InboxRow(d, None, d.due_at) for d in page.items]
    attach_steps(rows)
    now = now or timezone.now()
    for row in rows:
        if row.dossier.state in OPEN_STATES:
            row.time_left = time_left(row.due_at, now, paused_at=row.dossier.paused_at)
    page.items = rows
    return page


# --- the dossier page -----------------------------------------------------------------------------


def dossier_for(user, pk: int) -> Dossier:
    """The dossier if ``user`` may see it; raises ``Dossier.DoesNotExist`` otherwise."""
    return (
        Dossier.objects.visible_to(user)
        .select_related(
            "procedure", "procedure_version", "agency", "intake_agency", "created_by", "citizen"
        )
        .get(pk=pk)
    )


def steps_of(dossier: Dossier) -> list[DossierStep]:
    return list(
        dossier.steps.select_related("agency", "assignee", "received_from", "completed_by")
        .order_by("order")
        .all()
    )


def timeline_events(dossier: Dossier) -> QuerySet[AuditEvent]:
    """The audit events of the dossier, oldest first (index core_audit_object)."""
    return AuditEvent.objects.filter(
        object_type="dossiers.dossier", object_id=str(dossier.pk)
    ).order_by("seq")


def full_names(usernames) -> dict[str, str]:
    """User name → full name, for the usernames the audit log keeps."""
    names = [u for u in usernames if isinstance(u, str) and u]
    if not names:
        return {}
    return {
        username: full_name or username
        for username, full_name in User.objects.filter(username__in=names).values_list(
            "username", "full_name"
        )
    }


def transfer_targets(dossier: Dossier) -> QuerySet[Agency]:
    """Governments a dossier may be sent to for một cửa liên thông: active, not its own."""
    return (
        Agency.objects.active()
        .filter(kind__in=Agency.GOVERNMENT_KINDS)
        .exclude(pk__in=[dossier.agency_id, dossier.intake_agency_id])
        .order_by("path")
    )

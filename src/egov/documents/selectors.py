"""Read queries of the documents app: inboxes per officer, search, timelines, registers.

- Inboxes (:func:`inbox_to_register`, :func:`inbox_to_direct`, :func:`inbox_to_assign`,
  :func:`inbox_to_process`, :func:`inbox_my_drafts`, :func:`inbox_to_review`,
  :func:`inbox_to_sign`, :func:`inbox_to_issue`) return a :class:`DeadlinePage`: rows sorted by
  deadline (none last), then id, walked by keyset on an index (never a COUNT); each row has
  ``is_overdue`` for highlighting.
- Search (:func:`search_incoming`, :func:`search_outgoing`): every word of the query must be in
  the folded ``search_text`` (diacritics ignored; a trigram GIN index on PostgreSQL), filters
  for period, issuer, type, unit, state; keyset pages (``core.pagination``), newest first,
  always scoped by ``visible_to`` (confidentiality included).
- Registers (:func:`incoming_register`, :func:`outgoing_register`): the rows of Phụ lục IV for
  any period as plain data; :func:`resolution_tracking` (sổ theo dõi giải quyết văn bản đến)
  and :func:`resolution_by_unit` (resolved on time / late per unit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import BooleanField, Exists, F, OuterRef, Q, QuerySet
from django.db.models import Value as V
from django.db.models.expressions import OrderBy, RawSQL
from django.db.models.functions import StrIndex
from django.utils import timezone

from egov.accounts.scoping import visible_agency_ids
from egov.core.pagination import Page, keyset_page
from egov.core.pagination import _parse_cursor as _parse_keyset_cursor
from egov.core.text import fold

from .models import (
    Assignment,
    DocumentAlert,
    DocumentEvent,
    IncomingDocument,
    InState,
    OutgoingDocument,
    OutState,
    Recipient,
    _clerk_agency_ids,
    _leader_agency_ids,
)

MAX_PAGE = 200


# --- deadline pages ---------------------------------------------------------------------------


@dataclass
class DeadlinePage:
    items: list
    next_cursor: str | None
    size: int

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


_NONE = "-"


def _cursor_of(due, pk) -> str:
    return f"{due.isoformat() if due is not None else _NONE}|{pk}"


def _parse_cursor(raw) -> tuple[object, int] | None:
    if not raw:
        return None
    try:
        due_text, pk_text = str(raw).rsplit("|", 1)
        pk = int(pk_text)
        if due_text == _NONE:
            return None, pk
        due = (
            dt.datetime.fromisoformat(due_text)
            if "T" in due_text
            else dt.date.fromisoformat(due_text)
        )
        return due, pk
    except ValueError:
        return None


def deadline_page(
    qs: QuerySet, *, due: str = "due_at", cursor=None, size: int = 50, now=None, done=None
) -> DeadlinePage:
    """Rows ordered by ``due`` ascending (no deadline last), then id: the most urgent first.
    ``cursor`` is the ``next_cursor`` of the previous page. ``done(row)`` tells whether a row
    is finished (never overdue then)."""
    size = max(1, min(int(size), MAX_PAGE))
    after = _parse_cursor(cursor)
    if after is not None:
        due_value, pk = after
        if due_value is None:
            qs = qs.filter(**{f"{due}__isnull": True, "pk__gt": pk})
        else:
            qs = qs.filter(
                Q(**{f"{due}__gt": due_value})
                | Q(**{due: due_value, "pk__gt": pk})
                | Q(**{f"{due}__isnull": True})
            )
    rows = list(qs.order_by(F(due).asc(nulls_last=True), "pk")[: size + 1])
    now = now or timezone.now()
    today = timezone.localdate(now)
    for row in rows:
        value = _due_value(row, due)
        finished = done(row) if done else False
        if value is None or finished:
            row.is_overdue = False
        elif isinstance(value, dt.datetime):
            row.is_overdue = value < now
        else:
            row.is_overdue = value < today
    next_cursor = None
    if len(rows) > size:
        last = rows[size - 1]
        next_cursor = _cursor_of(_due_value(last, due), last.pk)
    return DeadlinePage(items=rows[:size], next_cursor=next_cursor, size=size)


def _due_value(row, path: str):
    value = row
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


# --- inboxes ------------------------------------------------------------------------------------


def inbox_to_register(user, *, cursor=None, size: int = 50, now=None) -> DeadlinePage:
    """Clerk: electronic documents waiting for registration (internal dispatch, the hub)."""
    qs = IncomingDocument.objects.filter(
        agency_id__in=_clerk_agency_ids(user), state=InState.PENDING
    ).select_related("agency")
    return deadline_page(qs, cursor=cursor, size=size, now=now)


def inbox_to_direct(user, *, cursor=None, size: int = 50, now=None) -> DeadlinePage:
    """Leader: registered documents waiting for the direction."""
    qs = IncomingDocument.objects.filter(
        agency_id__in=_leader_agency_ids(user), state=InState.REGISTERED
    ).select_related("agency")
    return deadline_page(qs, cursor=cursor, size=size, now=now)


def inbox_to_assign(user, *, cursor=None, size: int = 50, now=None) -> DeadlinePage:
    """Unit head: units' parts waiting for a specialist (rows are :class:`Assignment`)."""
    qs = Assignment.objects.filter(
        unit_id__in=_leader_agency_ids(user), state=Assignment.State.WAITING
    ).select_related("incoming", "unit")
    return deadline_page(qs, cursor=cursor, size=size, now=now)


def inbox_to_process(user, *, cursor=None, size: int = 50, now=None) -> DeadlinePage:
    """Specialist: their open parts (rows are :class:`Assignment`)."""
    qs = Assignment.objects.filter(assignee=user, state=Assignment.State.IN_PROCESS).select_related(
        "incoming", "unit"
    )
    return deadline_page(qs, cursor=cursor, size=size, now=now)


def inbox_my_drafts(user, *, cursor=None, size: int = 50, now=None) -> DeadlinePage:
    """Drafter: their drafts and returned documents."""
    qs = OutgoingDocument.objects.filter(
        created_by=user, state__in=[OutState.DRAFT, OutState.RETURNED]
    )
    return deadline_page(qs, due="due_date", cursor=cursor, size=size, now=now)


def _review_q(user, state: str, unit_field: str) -> Q:
    leaders = _leader_agency_ids(user)
    return Q(state=state) & (
        Q(reviewer=user) | Q(reviewer__isnull=True, **{f"{unit_field}__in": leaders})
    )


def inbox_to_review(user, *, cursor=None, size: int = 50, now=None) -> DeadlinePage:
    """Unit head: drafts of their unit waiting for review."""
    qs = OutgoingDocument.objects.filter(_review_q(user, OutState.UNIT_REVIEW, "drafting_unit_id"))
    return deadline_page(qs, due="due_date", cursor=cursor, size=size, now=now)


def inbox_to_sign(user, *, cursor=None, size: int = 50, now=None) -> DeadlinePage:
    """Leader: documents waiting for approval and signature."""
    qs = OutgoingDocument.objects.filter(_review_q(user, OutState.LEADER_REVIEW, "agency_id"))
    return deadline_page(qs, due="due_date", cursor=cursor, size=size, now=now)


def inbox_to_issue(user, *, cursor=None, size: int = 50, now=None) -> DeadlinePage:
    """Clerk: signed documents waiting for a number and dispatch."""
    qs = OutgoingDocument.objects.filter(
        agency_id__in=_clerk_agency_ids(user), state=OutState.APPROVED
    )
    return deadline_page(qs, due="due_date", cursor=cursor, size=size, now=now)


def unread_alerts(user, *, size: int = 20) -> list[DocumentAlert]:
    return list(
        DocumentAlert.objects.filter(user=user, read_at__isnull=True).order_by("-id")[:size]
    )


def overdue_assignments(user, *, now=None, size: int = 50) -> list[Assignment]:
    """Open parts past their deadline in the units the user leads or handles."""
    now = now or timezone.now()
    qs = Assignment.objects.filter(
        Q(assignee=user) | Q(unit_id__in=_leader_agency_ids(user)),
        state__in=[Assignment.State.WAITING, Assignment.State.IN_PROCESS],
        due_at__lt=now,
    ).select_related("incoming", "unit")
    return list(qs.order_by("due_at", "pk")[:size])


# --- timelines ----------------------------------------------------------------------------------


def timeline(doc) -> list[DocumentEvent]:
    """Every step of the document, oldest first, with time and actor."""
    key = "incoming" if isinstance(doc, IncomingDocument) else "outgoing"
    return list(DocumentEvent.objects.filter(**{key: doc}).order_by("at", "id"))


def is_overdue(doc, now=None) -> bool:
    """Past its deadline and not completed (incoming document or assignment)."""
    now = now or timezone.now()
    if isinstance(doc, Assignment):
        return doc.is_open and doc.due_at is not None and doc.due_at < now
    return (
        doc.state in (InState.REGISTERED, InState.IN_PROCESS)
        and doc.due_at is not None
        and doc.due_at < now
    )


# --- search -------------------------------------------------------------------------------------


def _local_bounds(date_from, date_to):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz) if date_from else None
    end = (
        dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        if date_to
        else None
    )
    return start, end


#: words shorter than a trigram cannot use the trigram index: PostgreSQL would read the whole
#: index for them ("đề án 06" took 2 s at 1,000,000 documents); they are checked on the rows
#: the other words (or the scoping indexes) found, with ``strpos``, which no index serves
_TRIGRAM = 3


def _words(qs: QuerySet, query: str, indexed: bool = True) -> QuerySet:
    """Every word of ``query`` in ``search_text``; ``indexed=False`` checks them all with
    ``strpos`` (for rows an other index already narrowed down)."""
    for word in fold(query).split():
        if indexed and len(word) >= _TRIGRAM:
            qs = qs.filter(search_text__contains=word)
        else:
            qs = qs.alias(**{f"_at_{len(qs.query.annotations)}": StrIndex("search_text", V(word))})
            qs = qs.filter(**{f"_at_{len(qs.query.annotations) - 1}__gt": 0})
    return qs


#: search for a user who sees more agencies than this (or everything) reads the matches newest
#: first in id windows; below it, each branch of ``visible_branches`` is its own indexed query
BROAD_SCOPE = 20
#: the first id window (ids), multiplied by ``_WINDOW_GROWTH`` while the page is not full
_WINDOW = 20_000
_WINDOW_GROWTH = 8
#: databases that get the branch / window reading (the others run the one straightforward query)
_PLANNED_VENDORS = {"postgresql"}


def _search_page(model, user, refine, *, cursor, size: int) -> Page:
    """The page ``keyset_page(refine(model.objects.visible_to(user)), cursor, size)`` would
    return — same rows, same order, same cursors — read in a way PostgreSQL can serve at a
    million documents. ``refine(qs, indexed)`` adds the filters and the words (``indexed``:
    the words may use the trigram index, else ``strpos``).

    - A user who sees few agencies: each branch of ``search_branches`` (the agencies' own
      documents, the units' assignments, the secret ones registered, drafted, reviewed or
      assigned) is read on its own index, newest first, ``size + 1`` rows at most — no ``OR``
      and no ``EXISTS`` per match; the newest ``size + 1`` of their union (merged by id) are
      the newest of ``visible_to``. Branches reached through other rows (``via``: assignments,
      events) list the ids there first and check them in growing chunks.
    - A user who sees many agencies (or all): the common words match 1–5 % of what they see,
      so the newest matches are near the top of the ids; ``visible_to`` is read in id slices
      from the newest (20,000 ids, then ×8 …, the last one unbounded) until the page is full.

    On other databases (SQLite) the straightforward query is used."""
    size = max(1, min(int(size), MAX_PAGE))
    after = _parse_keyset_cursor(cursor)
    manager = model.objects
    if connections[manager.db].vendor not in _PLANNED_VENDORS:
        return keyset_page(
            refine(manager.visible_to(user), True), key="id", cursor=cursor, size=size
        )
    need = size + 1
    branches = manager.search_branches(user)
    ids = visible_agency_ids(user)
    if branches is None or len(ids) > BROAD_SCOPE:
        scope = manager.all() if branches is None else manager.visible_to(user)
        rows = _newest_in_windows(model, refine(scope, True), after, need)
    else:
        found: dict[int, object] = {}
        for branch in branches:
            if branch.via is None:
                qs = refine(branch.qs, branch.indexed).order_by("-id")
                if after is not None:
                    qs = qs.filter(id__lt=after)
                part = list(qs[:need])
            else:
                part = _newest_via(branch, refine, after, need)
            for row in part:
                found.setdefault(row.pk, row)
        rows = [found[pk] for pk in sorted(found, reverse=True)[:need]]
    next_cursor = rows[size - 1].pk if len(rows) > size else None
    return Page(items=rows[:size], next_cursor=next_cursor, cursor=after, size=size)


#: chunks of candidate ids checked at a time by ``_newest_via`` (then ×4, up to the last)
_VIA_CHUNK = 500
_VIA_CHUNK_MAX = 8_000


def _newest_via(branch, refine, after: int | None, need: int) -> list:
    """The newest ``need`` rows of a ``via`` branch: the candidate ids (assignments, events)
    newest first, checked chunk by chunk on the primary key."""
    via = branch.via
    field = via.query.values_select[0]
    if after is not None:
        via = via.filter(**{f"{field}__lt": after})
    candidates = sorted({pk for (pk,) in via.order_by()}, reverse=True)
    table = branch.qs.model._meta.db_table
    array = connections[branch.qs.db].vendor == "postgresql"
    rows: list = []
    chunk = _VIA_CHUNK
    start = 0
    while start < len(candidates) and len(rows) < need:
        part = candidates[start : start + chunk]
        if array:  # one array parameter, not thousands (planning a long IN list: 10–20 ms)
            among = Q(RawSQL(f'"{table}"."id" = ANY(%s)', (part,), output_field=BooleanField()))
        else:
            among = Q(id__in=part)
        qs = refine(branch.qs.filter(among), False).order_by("-id")
        rows.extend(qs[: need - len(rows)])
        start += chunk
        chunk = min(chunk * 4, _VIA_CHUNK_MAX)
    return rows


def _newest_in_windows(model, qs: QuerySet, after: int | None, need: int) -> list:
    """The newest ``need`` rows of ``qs`` below ``after``, read slice by slice of ids from the
    top (each slice one query on the trigram and id indexes). The last slice (everything
    below) is ordered by ``id + 0``: the matches are sparse by then, and walking the primary
    key backwards over half a million rows to find a handful (the plan PostgreSQL picks for
    ``ORDER BY id`` with a ``LIMIT``) took 400 ms where the trigram index takes 20."""
    if after is None:
        top = model.objects.order_by("-id").values_list("id", flat=True).first()
        if top is None:
            return []
        high = top + 1
    else:
        high = after
    rows: list = []
    width = _WINDOW
    while len(rows) < need and high > 1:
        low = high - width
        part = qs.filter(id__lt=high)
        if low > 1:
            part = part.filter(id__gte=low).order_by("-id")
        else:
            part = part.order_by(OrderBy(F("id") + V(0), descending=True))
        rows.extend(part[: need - len(rows)])
        high = low
        width *= _WINDOW_GROWTH
    return rows


def search_incoming(
    user,
    query: str = "",
    *,
    agency_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    issuer: str = "",
    doc_type: str = "",
    unit_id: int | None = None,
    state: str = "",
    cursor=None,
    size: int = 50,
) -> Page:
    """Incoming documents the user may see matching ``query`` (diacritics ignored, every word)
    in the metadata and the text layer, newest first, by keyset on id. ``issuer`` is an
    agency code (exact) or words of the issuer's name; the period is on the arrival date."""
    start, end = _local_bounds(date_from, date_to)

    def refine(qs: QuerySet, indexed: bool) -> QuerySet:
        if agency_id:
            qs = qs.filter(agency_id=agency_id)
        if start:
            qs = qs.filter(arrived_at__gte=start)
        if end:
            qs = qs.filter(arrived_at__lt=end)
        if issuer:
            if any(ch.isdigit() for ch in issuer) and "." in issuer:
                qs = qs.filter(issuer_code=issuer.strip())
            else:
                qs = _words(qs, issuer, indexed)
        if doc_type:
            qs = qs.filter(doc_type=doc_type)
        if unit_id:
            qs = qs.filter(
                Exists(Assignment.objects.filter(incoming=OuterRef("pk"), unit_id=unit_id))
            )
        if state:
            qs = qs.filter(state=state)
        return _words(qs, query, indexed).select_related("agency")

    return _search_page(IncomingDocument, user, refine, cursor=cursor, size=size)


def search_outgoing(
    user,
    query: str = "",
    *,
    agency_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    doc_type: str = "",
    unit_id: int | None = None,
    state: str = "",
    cursor=None,
    size: int = 50,
) -> Page:
    """Outgoing documents the user may see; the period is on the issue date (drafts: none)."""

    def refine(qs: QuerySet, indexed: bool) -> QuerySet:
        if agency_id:
            qs = qs.filter(agency_id=agency_id)
        if date_from:
            qs = qs.filter(issued_date__gte=date_from)
        if date_to:
            qs = qs.filter(issued_date__lte=date_to)
        if doc_type:
            qs = qs.filter(doc_type=doc_type)
        if unit_id:
            qs = qs.filter(drafting_unit_id=unit_id)
        if state:
            qs = qs.filter(state=state)
        return _words(qs, query, indexed).select_related("agency", "drafting_unit")

    return _search_page(OutgoingDocument, user, refine, cursor=cursor, size=size)


# --- registers (Phụ lục IV) -------------------------------------------------------------------


@dataclass
class IncomingRegisterRow:
    """Sổ đăng ký văn bản đến: the ten columns of Phụ lục IV."""

    arrival_date: dt.date  # 1 Ngày đến
    arrival_number: int  # 2 Số đến
    author: str  # 3 Tác giả
    number_symbol: str  # 4 Số, ký hiệu văn bản
    issued_date: dt.date  # 5 Ngày tháng văn bản
    type_and_subject: str  # 6 Tên loại và trích yếu nội dung
    receiver: str  # 7 Đơn vị hoặc người nhận
    transferred_on: dt.date | None  # 8 Ngày chuyển
    signature: str = ""  # 9 Ký nhận (signed on paper)
    note: str = ""  # 10 Ghi chú
    urgency: str = ""
    secrecy: str = ""
    id: int = 0


@dataclass
class OutgoingRegisterRow:
    """Sổ đăng ký văn bản đi: the ten columns of Phụ lục IV."""

    number_symbol: str  # 1 Số, ký hiệu văn bản
    issued_date: dt.date  # 2 Ngày tháng văn bản
    type_and_subject: str  # 3 Tên loại và trích yếu nội dung
    signer: str  # 4 Người ký
    recipients: str  # 5 Nơi nhận văn bản
    file_keeper: str  # 6 Đơn vị, người nhận bản lưu
    copies: int  # 7 Số lượng bản
    transferred_on: dt.date | None  # 8 Ngày chuyển
    signature: str = ""  # 9 Ký nhận
    note: str = ""  # 10 Ghi chú
    number: int = 0
    series: str = ""
    id: int = 0


def _local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def incoming_register(
    agency_id: int, date_from: dt.date, date_to: dt.date, *, secret: bool | None = None
) -> list[IncomingRegisterRow]:
    """The incoming register of an agency for the period (by arrival date), in số đến order.
    ``secret``: True only secret documents, False only normal ones, None all (the register of
    secret documents is kept apart under the state-secrets rules)."""
    start, end = _local_bounds(date_from, date_to)
    qs = IncomingDocument.objects.filter(
        agency_id=agency_id,
        arrival_number__isnull=False,
        registered_at__gte=start,
        registered_at__lt=end,
    )
    if secret is True:
        qs = qs.filter(secrecy__gt=0)
    elif secret is False:
        qs = qs.filter(secrecy=0)
    qs = qs.order_by("arrival_year", "arrival_number").prefetch_related(
        "assignments__unit", "assignments__assignee"
    )
    rows = []
    for d in qs:
        receivers = []
        for a in d.assignments.all():
            who = a.unit.name + (f" ({a.assignee.get_full_name()})" if a.assignee else "")
            receivers.append(who)
        notes = [d.description] if d.description else []
        if d.amendment:
            notes.append(d.get_amendment_display())
        if d.urgency:
            notes.append(d.get_urgency_display())
        if d.secrecy:
            notes.append(d.get_secrecy_display())
        rows.append(
            IncomingRegisterRow(
                arrival_date=_local_date(d.registered_at),
                arrival_number=d.arrival_number,
                author=d.issuer_name,
                number_symbol=d.number_symbol,
                issued_date=d.issued_date,
                type_and_subject=f"{d.type_name}: {d.subject}",
                receiver="; ".join(receivers) or d.to_places,
                transferred_on=_local_date(d.directed_at),
                note="; ".join(notes),
                urgency=d.get_urgency_display(),
                secrecy=d.get_secrecy_display(),
                id=d.pk,
            )
        )
    return rows


def outgoing_register(
    agency_id: int, date_from: dt.date, date_to: dt.date, *, series_scope: str | None = None
) -> list[OutgoingRegisterRow]:
    """The outgoing register of an agency for the period (by issue date), per series then
    number. ``series_scope`` limits it to one series (e.g. the secret register)."""
    qs = OutgoingDocument.objects.filter(
        agency_id=agency_id,
        number__isnull=False,
        issued_date__gte=date_from,
        issued_date__lte=date_to,
    )
    if series_scope:
        qs = qs.filter(series_scope=series_scope)
    qs = qs.select_related("drafting_unit").prefetch_related("recipients", "amendments")
    rows = []
    for d in qs.order_by("series_scope", "year", "number"):
        sent = [r.sent_at for r in d.recipients.all() if r.sent_at]
        notes = [f"{a.get_kind_display()}: {a.reason}" for a in d.amendments.all()]
        rows.append(
            OutgoingRegisterRow(
                number_symbol=d.number_symbol,
                issued_date=d.issued_date,
                type_and_subject=f"{d.type_name}: {d.subject}",
                signer=d.signer_name,
                recipients=d.recipients_text,
                file_keeper=f"VT, {d.drafting_unit.abbreviation}"
                if d.drafting_unit_id != d.agency_id
                else "VT",
                copies=d.issued_amount,
                transferred_on=_local_date(min(sent)) if sent else None,
                note="; ".join(notes),
                number=d.number,
                series=d.series_scope,
                id=d.pk,
            )
        )
    return rows


@dataclass
class TrackingRow:
    """Sổ theo dõi giải quyết văn bản đến (Phụ lục IV, 7 columns)."""

    arrival_number: int
    document: str  # Tên loại, số, ký hiệu, ngày và cơ quan ban hành
    receiver: str
    due_date: dt.date | None
    progress: str
    reply: str
    note: str = ""
    overdue: bool = False


def resolution_tracking(
    agency_id: int, date_from: dt.date, date_to: dt.date, *, now=None
) -> list[TrackingRow]:
    now = now or timezone.now()
    start, end = _local_bounds(date_from, date_to)
    qs = (
        IncomingDocument.objects.filter(
            agency_id=agency_id,
            arrival_number__isnull=False,
            registered_at__gte=start,
            registered_at__lt=end,
            directed_at__isnull=False,
        )
        .select_related("reply")
        .prefetch_related("assignments__unit")
        .order_by("arrival_year", "arrival_number")
    )
    rows = []
    for d in qs:
        parts = list(d.assignments.all())
        progress = "; ".join(
            f"{a.unit.name}: {a.get_state_display()}" + (f" – {a.progress}" if a.progress else "")
            for a in parts
        )
        rows.append(
            TrackingRow(
                arrival_number=d.arrival_number,
                document=f"{d.type_name} số {d.number_symbol} ngày {d.issued_date:%d/%m/%Y} "
                f"của {d.issuer_name}",
                receiver=d.to_places,
                due_date=_local_date(d.due_at),
                progress=progress,
                reply=d.reply.number_symbol if d.reply_id else "",
                overdue=is_overdue(d, now),
            )
        )
    return rows


@dataclass
class UnitResolution:
    unit_id: int
    unit: str
    total: int = 0
    done_on_time: int = 0
    done_late: int = 0
    open_on_time: int = 0
    open_overdue: int = 0
    extra: dict = field(default_factory=dict)


def resolution_by_unit(
    agency_id: int, date_from: dt.date, date_to: dt.date, *, now=None
) -> list[UnitResolution]:
    """Report of incoming documents resolved on time / late per unit, for the parts directed in
    the period (the lead and coordinating parts both count for their unit)."""
    now = now or timezone.now()
    start, end = _local_bounds(date_from, date_to)
    parts = (
        Assignment.objects.filter(
            incoming__agency_id=agency_id,
            direction__directed_at__gte=start,
            direction__directed_at__lt=end,
        )
        .exclude(state=Assignment.State.CANCELLED)
        .select_related("unit")
        .only("unit__name", "unit_id", "state", "due_at", "completed_at")
    )
    out: dict[int, UnitResolution] = {}
    for a in parts.iterator():
        row = out.setdefault(a.unit_id, UnitResolution(a.unit_id, a.unit.name))
        row.total += 1
        if a.state == Assignment.State.DONE:
            if a.due_at is None or a.completed_at <= a.due_at:
                row.done_on_time += 1
            else:
                row.done_late += 1
        elif a.due_at is not None and a.due_at < now:
            row.open_overdue += 1
        else:
            row.open_on_time += 1
    return sorted(out.values(), key=lambda r: r.unit)


def recipients_waiting_paper(agency_id: int) -> list[Recipient]:
    """Paper copies the clerk still has to send (sổ chuyển giao)."""
    return list(
        Recipient.objects.filter(
            outgoing__agency_id=agency_id, state=Recipient.State.PAPER
        ).select_related("outgoing")
    )

"""Organizations services: the only code that changes agencies, bridge points and merges.

Every function validates, changes state and writes an audit event (``egov.core.audit``) in one
transaction (ARCHITECTURE.md, rule 1). Error messages are Vietnamese ``ValidationError``\\ s.

Merges keep history readable: a merged agency is never rewritten or deleted; it gets
``effective_to = effective_date - 1 day`` and ``successor = target``. Its *open work* (records
still being processed) can be moved to the target by the movers registered with
:func:`register_open_work_mover`; each domain module registers its own.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.core import audit
from egov.organizations.models import Agency, AgencyMerge, BridgePoint

#: Level of each local-government kind: a government may only sit under a higher level.
GOVERNMENT_LEVEL: dict[str, int] = {
    Agency.Kind.PROVINCE: 1,
    Agency.Kind.DISTRICT: 2,
    Agency.Kind.COMMUNE: 3,
    Agency.Kind.WARD: 3,
    Agency.Kind.TOWN: 3,
    Agency.Kind.SPECIAL_ZONE: 3,
}

#: Fields that ``create_agency`` / ``update_agency`` accept. ``successor`` is set by merges only.
AGENCY_FIELDS = (
    "kind",
    "name",
    "short_name",
    "abbreviation",
    "code",
    "address",
    "phone",
    "email",
    "parent",
    "effective_from",
    "effective_to",
)
BRIDGE_POINT_FIELDS = ("name", "location", "equipment_status", "equipment_note", "is_active")


def _d(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value for the audit log."""
    if isinstance(value, Agency):
        return value.code
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError(
            {"effective_date": _("Ngày hiệu lực không hợp lệ: %(value)s") % {"value": value}}
        ) from exc


def merge_group(kind: str) -> str:
    """Agencies can merge only within one group: the same level of government, or units."""
    if kind in GOVERNMENT_LEVEL:
        return f"government-{GOVERNMENT_LEVEL[kind]}"
    if kind == Agency.Kind.ONESTOP:
        return "onestop"
    return "unit"


def _kind_label(kind: str) -> str:
    return str(Agency.Kind(kind).label) if kind in Agency.Kind.values else kind


# --- agencies ---------------------------------------------------------------------------------


def _validate_parent(kind: str, parent: Agency | None, agency: Agency | None = None) -> None:
    if parent is None:
        return
    if agency is not None and agency.pk and agency.path and parent.path.startswith(agency.path):
        raise ValidationError(
            {
                "parent": _(
                    "Không thể đặt cơ quan cấp trên là chính cơ quan này hoặc một đơn vị trực thuộc của nó."
                )
            }
        )
    if kind in GOVERNMENT_LEVEL:
        parent_level = GOVERNMENT_LEVEL.get(parent.kind)
        if parent_level is None or parent_level >= GOVERNMENT_LEVEL[kind]:
            raise ValidationError(
                {
                    "parent": _(
                        "Cấp chính quyền “%(kind)s” phải trực thuộc một cấp chính quyền cao hơn, không thể trực thuộc “%(parent)s” (%(parent_kind)s)."
                    )
                    % {
                        "kind": _kind_label(kind),
                        "parent": parent.name,
                        "parent_kind": _kind_label(parent.kind),
                    }
                }
            )


def _validate_dates(effective_from: dt.date | None, effective_to: dt.date | None) -> None:
    if effective_from and effective_to and effective_to < effective_from:
        raise ValidationError(
            {"effective_to": _("Ngày hết hiệu lực không được trước ngày bắt đầu hiệu lực.")}
        )


@transaction.atomic
def create_agency(
    *,
    kind: str,
    name: str,
    code: str,
    abbreviation: str = "",
    parent: Agency | None = None,
    short_name: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    effective_from: dt.date | None = None,
    effective_to: dt.date | None = None,
    by=None,
) -> Agency:
    """Create one agency under ``parent`` (None = a root, e.g. a province)."""
    if kind in GOVERNMENT_LEVEL and not abbreviation:
        abbreviation = "UBND"
    agency = Agency(
        kind=kind,
        name=(name or "").strip(),
        short_name=(short_name or "").strip(),
        abbreviation=(abbreviation or "").strip(),
        code=(code or "").strip().upper(),
        address=address,
        phone=phone,
        email=email,
        parent=parent,
        effective_from=effective_from,
        effective_to=effective_to,
    )
    agency.full_clean(exclude=["path", "depth", "successor"])
    _validate_parent(kind, parent)
    _validate_dates(effective_from, effective_to)
    agency.save()
    audit.record(
        "agency.created",
        actor=by,
        agency=agency,
        obj=agency,
        data={
            "code": agency.code,
            "name": agency.name,
            "kind": agency.kind,
            "parent": parent.code if parent else None,
            "effective_from": _plain(effective_from),
            "effective_to": _plain(effective_to),
        },
    )
    return agency


@transaction.atomic
def update_agency(agency: Agency, *, by=None, **changes) -> Agency:
    """Change fields of ``agency`` (see ``AGENCY_FIELDS``). Moving it to another parent updates
    the materialised paths of its whole subtree. Nothing is written when nothing changed."""
    unknown = set(changes) - set(AGENCY_FIELDS)
    if unknown:
        raise TypeError(f"update_agency() got unknown fields: {', '.join(sorted(unknown))}")
    before = Agency.objects.select_for_update().get(pk=agency.pk)
    agency.path, agency.depth = before.path, before.depth
    for field, value in changes.items():
        if field == "code":
            value = (value or "").strip().upper()
        setattr(agency, field, value)
    diff = {}
    for field in AGENCY_FIELDS:
        attr = "parent_id" if field == "parent" else field
        old, new = getattr(before, attr), getattr(agency, attr)
        if old != new:
            diff[field] = [_plain(getattr(before, field)), _plain(getattr(agency, field))]
    if not diff:
        return agency
    agency.full_clean(exclude=["path", "depth", "successor"])
    _validate_parent(agency.kind, agency.parent, before)
    _validate_dates(agency.effective_from, agency.effective_to)
    agency.save()
    audit.record("agency.updated", actor=by, agency=agency, obj=agency, data={"changes": diff})
    return agency


# --- bridge points ----------------------------------------------------------------------------


def _validate_status(status: str) -> None:
    if status not in BridgePoint.Equipment.values:
        raise ValidationError(
            {
                "equipment_status": _("Tình trạng thiết bị không hợp lệ: %(value)s")
                % {"value": status}
            }
        )


@transaction.atomic
def create_bridge_point(
    *,
    agency: Agency,
    name: str,
    location: str = "",
    equipment_status: str = BridgePoint.Equipment.UNKNOWN,
    equipment_note: str = "",
    is_active: bool = True,
    by=None,
) -> BridgePoint:
    _validate_status(equipment_status)
    point = BridgePoint(
        agency=agency,
        name=(name or "").strip(),
        location=location,
        equipment_status=equipment_status,
        equipment_note=equipment_note,
        is_active=is_active,
    )
    point.full_clean()
    point.save()
    audit.record(
        "bridge_point.created",
        actor=by,
        agency=agency,
        obj=point,
        data={"name": point.name, "equipment_status": equipment_status},
    )
    return point


@transaction.atomic
def update_bridge_point(point: BridgePoint, *, by=None, **changes) -> BridgePoint:
    """Change name, location, status, note or ``is_active`` of a bridge point."""
    unknown = set(changes) - set(BRIDGE_POINT_FIELDS)
    if unknown:
        raise TypeError(f"update_bridge_point() got unknown fields: {', '.join(sorted(unknown))}")
    if "equipment_status" in changes:
        _validate_status(changes["equipment_status"])
    before = BridgePoint.objects.select_for_update().get(pk=point.pk)
    for field, value in changes.items():
        setattr(point, field, value)
    diff = {
        f: [getattr(before, f), getattr(point, f)]
        for f in BRIDGE_POINT_FIELDS
        if getattr(before, f) != getattr(point, f)
    }
    if not diff:
        return point
    point.full_clean()
    point.save()
    action = (
        "bridge_point.status_changed"
        if set(diff) <= {"equipment_status", "equipment_note"}
        else "bridge_point.updated"
    )
    audit.record(action, actor=by, agency=point.agency_id, obj=point, data={"changes": diff})
    return point


def set_bridge_point_status(
    point: BridgePoint, status: str, *, note: str | None = None, by=None
) -> BridgePoint:
    """Record the equipment status of a bridge point (after a check or a repair)."""
    changes: dict[str, Any] = {"equipment_status": status}
    if note is not None:
        changes["equipment_note"] = note
    return update_bridge_point(point, by=by, **changes)


# --- open work movers -------------------------------------------------------------------------

#: func(sources, target, effective_date) -> number of records moved.
OpenWorkMover = Callable[[list[Agency], Agency, dt.date], int]
_MOVERS: dict[str, OpenWorkMover] = {}
_ACTOR: contextvars.ContextVar = contextvars.ContextVar("egov_merge_actor", default=None)


def register_open_work_mover(name: str, func: OpenWorkMover) -> OpenWorkMover:
    """Register how a module moves its open records when agencies merge.

    ``func(sources, target, effective_date)`` runs inside the merge's transaction. ``sources``
    holds every agency that ends with the merge: the merged agencies and their units (one-stop
    units, departments) that end with them. It returns how many records it moved; the merge
    stores ``{name: count}`` in ``AgencyMerge.summary``. Registering a name again replaces the
    mover, so it is safe to call from ``AppConfig.ready()``. Returns ``func`` (decorator use).
    """
    _MOVERS[name] = func
    return func


def unregister_open_work_mover(name: str) -> None:
    _MOVERS.pop(name, None)


def open_work_movers() -> dict[str, OpenWorkMover]:
    return dict(_MOVERS)


def merge_actor():
    """The user performing the merge that is running now (for movers' audit events)."""
    return _ACTOR.get()


def _move_bridge_points(sources: list[Agency], target: Agency, effective_date: dt.date) -> int:
    """Bridge points in use move to the target; a name already used there gets the old agency's
    short name appended (names are unique per agency)."""
    taken = set(BridgePoint.objects.filter(agency=target).values_list("name", flat=True))
    count = 0
    points = BridgePoint.objects.filter(agency__in=sources, is_active=True).select_related("agency")
    for point in points.order_by("id"):
        old = point.agency
        name = point.name
        suffix, n = old.short_name or old.name, 2
        while name in taken:
            name = f"{point.name} ({suffix})" if n == 2 else f"{point.name} ({suffix} {n - 1})"
            n += 1
        point.agency, point.name = target, name[:255]
        point.save(update_fields=["agency", "name"])
        taken.add(point.name)
        audit.record(
            "bridge_point.moved",
            actor=merge_actor(),
            agency=target,
            obj=point,
            data={"from": old.code, "to": target.code, "name": point.name},
        )
        count += 1
    return count


def _move_memberships(sources: list[Agency], target: Agency, effective_date: dt.date) -> int:
    """Active roles in the sources are copied to the target (same role), and the sources' roles
    are kept but deactivated, so the old record of who worked where stays. A role is *not*
    copied when the target is an ancestor of another level or kind (a district, or one of its
    departments, dissolved into the province): that would widen the officer's scope to the
    whole province; it is only deactivated. Returns the number of roles copied."""
    from egov.accounts import services as account_services
    from egov.accounts.models import Membership

    actor = merge_actor()
    count = 0
    memberships = Membership.objects.filter(agency__in=sources, is_active=True)
    for membership in memberships.select_related("user", "agency").order_by("id"):
        widens = membership.agency.path.startswith(target.path) and merge_group(
            membership.agency.kind
        ) != merge_group(target.kind)
        if not widens and membership.user.is_officer:
            account_services.grant_role(membership.user, target, membership.role, by=actor)
            count += 1
        account_services.revoke_role(membership, by=actor)
    return count


register_open_work_mover("bridge_points", _move_bridge_points)
register_open_work_mover("memberships", _move_memberships)


# --- merges and dissolution -------------------------------------------------------------------


def _end_with(
    source: Agency, effective_date: dt.date, children_parent: Agency, by
) -> tuple[list[Agency], list[Agency]]:
    """End the units of ``source`` that are active at the date and move its active child
    governments under ``children_parent``. Returns (ended units, moved governments)."""
    end = effective_date - dt.timedelta(days=1)
    ended: list[Agency] = []
    moved: list[Agency] = []
    for child in source.children.active(effective_date).order_by("path"):
        if child.kind in GOVERNMENT_LEVEL:
            _validate_parent(child.kind, children_parent, child)
            old_parent = source.code
            child.parent = children_parent
            child.save()
            audit.record(
                "agency.moved",
                actor=by,
                agency=child,
                obj=child,
                data={"from_parent": old_parent, "to_parent": children_parent.code},
            )
            moved.append(child)
            continue
        for unit in Agency.objects.subtree(child).active(effective_date).order_by("path"):
            if unit.effective_to is not None and unit.effective_to <= end:
                continue
            unit.effective_to = end
            unit.save(update_fields=["effective_to"])
            audit.record(
                "agency.closed",
                actor=by,
                agency=unit,
                obj=unit,
                data={"effective_to": end.isoformat(), "with": source.code},
            )
            ended.append(unit)
    return ended, moved


def _run_movers(work_sources: list[Agency], target: Agency, effective_date: dt.date, by) -> dict:
    summary = {}
    token = _ACTOR.set(by)
    try:
        for name, func in _MOVERS.items():
            summary[name] = int(func(work_sources, target, effective_date) or 0)
    finally:
        _ACTOR.reset(token)
    return summary


def _source_errors(sources: list[Agency], effective_date: dt.date) -> list[str]:
    errors = []
    for source in sources:
        if source.successor_id:
            errors.append(
                _("Cơ quan “%(name)s” đã được hợp nhất vào “%(successor)s”.")
                % {"name": source.name, "successor": source.successor.name}
            )
        elif not source.is_active(effective_date):
            errors.append(
                _("Cơ quan “%(name)s” không còn hiệu lực vào ngày %(date)s nên không thể hợp nhất.")
                % {"name": source.name, "date": _d(effective_date)}
            )
    errors += [
        _("“%(child)s” trực thuộc “%(parent)s”: chỉ chọn cơ quan cấp trên.")
        % {"child": b.name, "parent": a.name}
        for a in sources
        for b in sources
        if a.pk != b.pk and b.path.startswith(a.path)
    ]
    return errors


def merge_agencies(
    sources: Iterable[Agency],
    target_or_new_agency_data: Agency | dict,
    effective_date: dt.date,
    decision: str,
    move_open_work: bool = True,
    by=None,
) -> AgencyMerge:
    """Merge ``sources`` into one agency from ``effective_date``.

    ``target_or_new_agency_data`` is an existing agency (which continues, e.g. "A and B merge
    into A": pass ``sources=[B]``) or the keyword arguments of :func:`create_agency` for a new
    one (its ``effective_from`` defaults to the effective date).

    Each source gets ``effective_to = effective_date - 1 day`` and ``successor = target``; its
    units (departments, one-stop units) end on the same day; its child governments (e.g. the
    communes of a merged district) move under the target. With ``move_open_work`` every
    registered mover runs in the same transaction and ``summary`` holds its count.
    """
    effective_date = _as_date(effective_date)
    decision = (decision or "").strip()
    seen: dict[int, Agency] = {}
    for source in sources:
        seen.setdefault(source.pk, source)
    if not seen:
        raise ValidationError(_("Cần chọn ít nhất một cơ quan bị hợp nhất."))
    if not decision:
        raise ValidationError({"decision": _("Cần ghi căn cứ hợp nhất (nghị quyết, quyết định).")})
    if len(decision) > AgencyMerge._meta.get_field("decision").max_length:
        raise ValidationError({"decision": _("Căn cứ hợp nhất quá dài (tối đa 255 ký tự).")})

    with transaction.atomic():
        # No select_related here: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
        source_list = list(Agency.objects.select_for_update().filter(pk__in=seen).order_by("path"))
        errors = _source_errors(source_list, effective_date)
        if isinstance(target_or_new_agency_data, Agency):
            target = Agency.objects.select_for_update().get(pk=target_or_new_agency_data.pk)
            new_data = None
            target_kind, target_name, target_path = target.kind, target.name, target.path
            if target.pk in seen:
                errors.append(
                    _("Không thể hợp nhất cơ quan “%(name)s” vào chính nó.") % {"name": target.name}
                )
            elif not target.is_active(effective_date) or target.successor_id:
                errors.append(
                    _("Cơ quan nhận hợp nhất “%(name)s” không có hiệu lực vào ngày %(date)s.")
                    % {"name": target.name, "date": _d(effective_date)}
                )
        else:
            target = None
            new_data = dict(target_or_new_agency_data)
            new_data.setdefault("effective_from", effective_date)
            parent = new_data.get("parent")
            if parent is not None:
                parent = new_data["parent"] = Agency.objects.get(pk=getattr(parent, "pk", parent))
            target_kind, target_name = new_data.get("kind", ""), new_data.get("name", "")
            # The new agency's path will start with its parent's path.
            target_path = f"{parent.path}new/" if parent is not None else "/new/"
        for source in source_list:
            if target is not None and source.pk == target.pk:
                continue
            if target_path.startswith(source.path):
                errors.append(
                    _(
                        "Không thể hợp nhất cơ quan “%(name)s” vào đơn vị trực thuộc của nó (“%(target)s”)."
                    )
                    % {"name": source.name, "target": target_name}
                )
            if merge_group(source.kind) != merge_group(target_kind):
                errors.append(
                    _(
                        "Không thể hợp nhất “%(source)s” (%(source_kind)s) vào “%(target)s” (%(target_kind)s): khác cấp hoặc khác loại cơ quan."
                    )
                    % {
                        "source": source.name,
                        "source_kind": _kind_label(source.kind),
                        "target": target_name,
                        "target_kind": _kind_label(target_kind),
                    }
                )
        if errors:
            raise ValidationError(errors)
        if target is None:
            target = create_agency(**new_data, by=by)
        return _retire(
            source_list,
            target=target,
            successor=target,
            children_parent=target,
            effective_date=effective_date,
            decision=decision,
            move_open_work=move_open_work,
            action="agency.merge",
            by=by,
        )


def dissolve_agency(
    agency: Agency,
    effective_date: dt.date,
    new_parent: Agency,
    decision: str,
    *,
    successor: Agency | None = None,
    move_open_work: bool = True,
    by=None,
) -> AgencyMerge:
    """Abolish ``agency`` (e.g. a district on 01/07/2025) from ``effective_date``.

    Its child governments active at the date (communes, wards, towns) move under
    ``new_parent``; its units (departments, one-stop centre) end with it; it ends the day
    before. Open work goes to ``successor`` when given (which also becomes the agency's
    ``successor``), otherwise to ``new_parent``. The event is stored as an ``AgencyMerge`` with
    that agency as target, so the moved counts stay on record.
    """
    effective_date = _as_date(effective_date)
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError({"decision": _("Cần ghi căn cứ giải thể (nghị quyết, quyết định).")})
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        new_parent = Agency.objects.get(pk=new_parent.pk)
        successor = Agency.objects.get(pk=successor.pk) if successor is not None else None
        errors = _source_errors([agency], effective_date)
        for other, label in (
            (new_parent, _("cơ quan cấp trên mới")),
            (successor, _("cơ quan kế thừa")),
        ):
            if other is None:
                continue
            if other.path.startswith(agency.path):
                errors.append(
                    _(
                        "%(label)s “%(name)s” không thể là chính “%(agency)s” hoặc đơn vị trực thuộc của nó."
                    )
                    % {"label": label.capitalize(), "name": other.name, "agency": agency.name}
                )
            elif not other.is_active(effective_date) or other.successor_id:
                errors.append(
                    _("%(label)s “%(name)s” không có hiệu lực vào ngày %(date)s.")
                    % {"label": label.capitalize(), "name": other.name, "date": _d(effective_date)}
                )
        if new_parent.kind not in GOVERNMENT_LEVEL:
            errors.append(
                _("Cơ quan cấp trên mới “%(name)s” phải là một cấp chính quyền.")
                % {"name": new_parent.name}
            )
        if errors:
            raise ValidationError(errors)
        return _retire(
            [agency],
            target=successor or new_parent,
            successor=successor,
            children_parent=new_parent,
            effective_date=effective_date,
            decision=decision,
            move_open_work=move_open_work,
            action="agency.dissolved",
            by=by,
        )


def _retire(
    sources: list[Agency],
    *,
    target: Agency,
    successor: Agency | None,
    children_parent: Agency,
    effective_date: dt.date,
    decision: str,
    move_open_work: bool,
    action: str,
    by,
) -> AgencyMerge:
    end = effective_date - dt.timedelta(days=1)
    work_sources: list[Agency] = []
    moved_children: list[str] = []
    for source in sources:
        ended, moved = _end_with(source, effective_date, children_parent, by)
        source.effective_to = end
        source.successor = successor
        source.save(update_fields=["effective_to", "successor"])
        audit.record(
            "agency.merged" if successor is not None else "agency.closed",
            actor=by,
            agency=source,
            obj=source,
            data={
                "effective_to": end.isoformat(),
                "successor": successor.code if successor else None,
                "decision": decision,
            },
        )
        work_sources += [source, *ended]
        moved_children += [child.code for child in moved]
    summary = _run_movers(work_sources, target, effective_date, by) if move_open_work else {}
    merge = AgencyMerge.objects.create(
        target=target,
        effective_date=effective_date,
        decision=decision,
        moved_open_work=move_open_work,
        summary=summary,
    )
    merge.sources.set(sources)
    audit.record(
        action,
        actor=by,
        agency=target,
        obj=merge,
        data={
            "sources": [s.code for s in sources],
            "target": target.code,
            "effective_date": effective_date.isoformat(),
            "decision": decision,
            "ended_units": [a.code for a in work_sources if a not in sources],
            "moved_children": moved_children,
            "summary": summary,
        },
    )
    return merge

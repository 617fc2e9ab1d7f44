"""Agency tree, agency detail and bridge points pages of the officer UI.

Scoping goes through ``visible_to`` (via ``organizations.selectors``); the only state change,
an equipment status update, goes through ``organizations.services``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.organizations import selectors, services
from egov.organizations.models import Agency, BridgePoint

KIND_BADGES = {
    Agency.Kind.PROVINCE: "text-bg-danger",
    Agency.Kind.DISTRICT: "text-bg-primary",
    Agency.Kind.COMMUNE: "text-bg-success",
    Agency.Kind.WARD: "text-bg-success",
    Agency.Kind.TOWN: "text-bg-success",
    Agency.Kind.SPECIAL_ZONE: "text-bg-success",
    Agency.Kind.DEPARTMENT: "text-bg-info",
    Agency.Kind.ONESTOP: "text-bg-warning",
    Agency.Kind.OTHER: "text-bg-secondary",
}
#: names of the open-work movers (AgencyMerge.summary keys) shown on the detail page
MOVER_LABELS = {
    "bridge_points": gettext_lazy("điểm cầu"),
    "memberships": gettext_lazy("vai trò cán bộ"),
}
STATUS_BADGES = {
    BridgePoint.Equipment.READY: "text-bg-success",
    BridgePoint.Equipment.DEGRADED: "text-bg-warning",
    BridgePoint.Equipment.BROKEN: "text-bg-danger",
    BridgePoint.Equipment.UNKNOWN: "text-bg-secondary",
}
STATUS_ICONS = {
    BridgePoint.Equipment.READY: "check-circle",
    BridgePoint.Equipment.DEGRADED: "exclamation-triangle",
    BridgePoint.Equipment.BROKEN: "x-octagon",
    BridgePoint.Equipment.UNKNOWN: "question-circle",
}


def _parse_date(value: str) -> dt.date | None:
    value = (value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _dissolved(agency: Agency) -> bool:
    """A successor of another level or kind means the agency was dissolved (its work handed
    over), not merged: merges only join agencies of one level (services.merge_group)."""
    successor = agency.successor
    return successor is not None and services.merge_group(agency.kind) != services.merge_group(
        successor.kind
    )


@login_required
def agency_list(request):
    q = request.GET.get("q", "").strip()[:100]
    show_inactive = request.GET.get("show_inactive") == "1"
    on = _parse_date(request.GET.get("on", "")) or timezone.localdate()
    roots, hits = selectors.agency_tree(request.user, on=on, include_inactive=show_inactive, q=q)
    rows = selectors.tree_rows(roots)
    for row in rows:
        node = row.get("node")
        if node is not None:
            row["badge"] = KIND_BADGES.get(node.agency.kind, "text-bg-secondary")
            row["inactive"] = not node.agency.is_active(on)
            row["show_abbr"] = node.agency.kind not in Agency.GOVERNMENT_KINDS
            row["dissolved"] = _dissolved(node.agency)
    return render(
        request,
        "office/agencies.html",
        {
            "rows": rows,
            "hits": hits,
            "q": q,
            "show_inactive": show_inactive,
            "on": on,
            "is_today": on == timezone.localdate(),
        },
    )


@login_required
def agency_detail(request, pk: int):
    agency = get_object_or_404(
        Agency.objects.visible_to(request.user).select_related("parent", "successor"), pk=pk
    )
    visible = Agency.objects.visible_to(request.user)
    history = selectors.agency_history(agency)
    related_ids = {a.pk for a in [*agency.ancestors(), *history.predecessors, *history.successors]}
    visible_ids = set(visible.filter(pk__in=related_ids).values_list("pk", flat=True))
    today = timezone.localdate()
    children = list(visible.filter(parent=agency).select_related("successor").order_by("path"))
    return render(
        request,
        "office/agency_detail.html",
        {
            "agency": agency,
            "badge": KIND_BADGES.get(agency.kind, "text-bg-secondary"),
            "is_active": agency.is_active(today),
            "dissolved": _dissolved(agency),
            "ancestors": list(agency.ancestors()),
            "children": [(child, child.is_active(today)) for child in children],
            "bridge_points": [
                (p, STATUS_BADGES.get(p.equipment_status))
                for p in BridgePoint.objects.visible_to(request.user)
                .filter(agency=agency)
                .order_by("name")
            ],
            "history": history,
            "merges": [
                (m, [(MOVER_LABELS.get(k, k), n) for k, n in m.summary.items()])
                for m in history.merges
            ],
            "visible_ids": visible_ids,
        },
    )


def _can_manage_bridge_points(user) -> bool:
    return user.is_superuser or "admin" in user.roles()


@login_required
def bridge_points(request):
    can_manage = _can_manage_bridge_points(request.user)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        point = get_object_or_404(
            BridgePoint.objects.visible_to(request.user), pk=request.POST.get("point")
        )
        try:
            services.set_bridge_point_status(
                point,
                request.POST.get("equipment_status", ""),
                note=request.POST.get("equipment_note", "").strip()[:255],
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Đã cập nhật tình trạng thiết bị của điểm cầu “%(name)s”.")
                % {"name": point.name},
            )
        return redirect(request.get_full_path())

    status = request.GET.get("status", "")
    if status not in BridgePoint.Equipment.values:
        status = ""
    q = request.GET.get("q", "").strip()[:100]
    points = selectors.visible_bridge_points(request.user, status=status, q=q)
    counts = selectors.bridge_point_counts(request.user)
    for item in counts:
        item["badge"] = STATUS_BADGES[item["status"]]
        item["icon"] = STATUS_ICONS[item["status"]]
    return render(
        request,
        "office/bridge_points.html",
        {
            "rows": [
                (p, STATUS_BADGES.get(p.equipment_status), STATUS_ICONS.get(p.equipment_status))
                for p in points
            ],
            "counts": counts,
            "total": sum(item["count"] for item in counts),
            "status": status,
            "q": q,
            "can_manage": can_manage,
            "statuses": BridgePoint.Equipment.choices,
        },
    )

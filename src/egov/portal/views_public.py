"""Public pages of the portal (no login): home, the procedure catalog and one page per
procedure, the public statistics of dossiers with the satisfaction ratings.

The catalog search folds Vietnamese diacritics ("dang ky khai sinh" finds "Đăng ký khai sinh",
``procedures.selectors.search_procedures``) and pages on the national code (keyset, no count).
The statistics read only fact tables (``DossierDailyStat``, ``RatingStat``).
"""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.files import clean_original_name
from egov.dossiers import statistics
from egov.dossiers.models import ReturnMethod
from egov.portal import selectors
from egov.portal.forms_public import ProcedureSearchForm, StatsForm
from egov.procedures.models import AgencyLevel, Field, OnlineLevel, Procedure, RequiredPaper
from egov.procedures.selectors import search_procedures

PAGE_SIZE = 20
CHART_COLOURS = {"received": "#6c757d", "on_time": "#198754", "late": "#dc3545"}

WHERE_TO_SUBMIT = {
    AgencyLevel.COMMUNE: _(
        "Bộ phận tiếp nhận và trả kết quả (bộ phận một cửa) của Ủy ban nhân dân cấp xã."
    ),
    AgencyLevel.DISTRICT: _(
        "Bộ phận tiếp nhận và trả kết quả (bộ phận một cửa) của Ủy ban nhân dân cấp huyện."
    ),
    AgencyLevel.PROVINCE: _("Trung tâm phục vụ hành chính công cấp tỉnh."),
}


def vnd(amount: int) -> str:
    """8000 → "8.000 đồng" (Vietnamese thousands separator)."""
    return _("%(amount)s đồng") % {"amount": f"{int(amount):,}".replace(",", ".")}


def online_start_url(version) -> str:
    """The online submission page of ``version`` when that part of the portal exists."""
    try:
        return reverse("portal:online_start", args=[version.pk])
    except NoReverseMatch:
        return ""


def home(request):
    online = (
        Procedure.objects.filter(is_active=True)
        .exclude(online_level=OnlineLevel.OFFLINE)
        .select_related("field")
        .order_by("-online_level", "national_code")[:8]
    )
    context = {
        "form": ProcedureSearchForm(),
        "online_procedures": list(online),
        "fields": list(Field.objects.order_by("name")[:24]),
    }
    return render(request, "portal/public/home.html", context)


def procedures(request):
    form = ProcedureSearchForm(request.GET or None)
    qs = Procedure.objects.none()
    filters = {}
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if form.is_bound else {}
        field = data.get("field")
        filters = {
            "level": data.get("level", ""),
            "field_id": field.pk if field else None,
            "online_level": data.get("online", ""),
        }
        qs = search_procedures(data.get("q", ""), **filters)
    after = (request.GET.get("sau") or "").strip()
    if after:
        qs = qs.filter(national_code__gt=after)
    rows = list(qs.order_by("national_code")[: PAGE_SIZE + 1])
    next_cursor = rows[PAGE_SIZE - 1].national_code if len(rows) > PAGE_SIZE else None
    query = request.GET.copy()
    query.pop("sau", None)
    context = {
        "form": form,
        "procedures": rows[:PAGE_SIZE],
        "next_cursor": next_cursor,
        "after": after,
        "query": query.urlencode(),
    }
    return render(request, "portal/public/procedures.html", context)


def procedure(request, code: str):
    proc = get_object_or_404(Procedure.objects.select_related("field"), national_code=code)
    if not proc.is_active:
        raise Http404
    version = proc.version_on()
    if version is None:
        raise Http404
    online = version.online_level != OnlineLevel.OFFLINE
    return_methods = [ReturnMethod.COUNTER.label, ReturnMethod.POST.label]
    if version.online_level == OnlineLevel.FULL:
        return_methods.append(ReturnMethod.ONLINE.label)
    context = {
        "procedure": proc,
        "version": version,
        "papers": list(version.papers.order_by("order")),
        "fees": [{"fee": f, "amount": vnd(f.amount)} for f in version.fees.order_by("id")],
        "steps": list(version.steps.order_by("order")),
        "where": WHERE_TO_SUBMIT.get(version.level, ""),
        "return_methods": return_methods,
        "online": online,
        "online_url": online_start_url(version) if online else "",
    }
    return render(request, "portal/public/procedure.html", context)


def paper_template(request, pk: int):
    """The form (mẫu đơn, tờ khai) of a required paper of an active procedure."""
    paper = get_object_or_404(
        RequiredPaper.objects.select_related("version__procedure"),
        pk=pk,
        version__procedure__is_active=True,
    )
    if not paper.template:
        raise Http404
    try:
        handle = paper.template.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = paper.template.name.rsplit(".", 1)[-1] if "." in paper.template.name else ""
    filename = clean_original_name(f"{paper.template_name or paper.name}.{extension}")
    return FileResponse(handle, as_attachment=True, filename=filename)


def _agency_ids(governments, chosen, subtree: bool) -> list[int]:
    if chosen is None:
        return [a.pk for a in governments]
    if not subtree:
        return [chosen.pk]
    from egov.organizations.models import Agency

    return list(Agency.objects.subtree(chosen).values_list("pk", flat=True))


def stats(request):
    governments = selectors.public_governments()
    form = StatsForm(request.GET or None, agencies=governments)
    today = timezone.localdate()
    year, chosen, subtree = today.year, None, True
    if form.is_bound and form.is_valid():
        year = int(form.cleaned_data["year"] or today.year)
        chosen = next((a for a in governments if str(a.pk) == form.cleaned_data["agency"]), None)
        subtree = form.cleaned_data["subtree"]
    elif not form.is_bound:
        form = StatsForm(initial={"year": str(year), "subtree": True}, agencies=governments)
    ids = _agency_ids(governments, chosen, subtree)
    months = selectors.monthly_dossier_stats(ids, year)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    year_report = statistics.report(ids, start, min(end, max(today, start)))
    ratings = selectors.ratings_summary(ids, start, end)
    chart = {
        "labels": [f"{m.month:%m/%Y}" for m in months],
        "datasets": [
            {
                "label": _("Giải quyết đúng hạn"),
                "data": [m.on_time for m in months],
                "backgroundColor": CHART_COLOURS["on_time"],
                "stack": "resolved",
            },
            {
                "label": _("Giải quyết quá hạn"),
                "data": [m.resolved_late for m in months],
                "backgroundColor": CHART_COLOURS["late"],
                "stack": "resolved",
            },
            {
                "label": _("Tiếp nhận"),
                "data": [m.received for m in months],
                "backgroundColor": CHART_COLOURS["received"],
                "stack": "received",
            },
        ],
    }
    totals = selectors.MonthRow(month=start)
    for m in months:
        totals.received += m.received
        totals.resolved_early += m.resolved_early
        totals.resolved_on_time += m.resolved_on_time
        totals.resolved_late += m.resolved_late
    context = {
        "form": form,
        "year": year,
        "chosen": chosen,
        "months": months,
        "totals": totals,
        "report": year_report,
        "ratings": ratings,
        "chart": chart,
    }
    return render(request, "portal/public/stats.html", context)

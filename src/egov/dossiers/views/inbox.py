"""The officer's inbox: dossiers waiting for them, earliest due first, coloured by time left;
and the list of every dossier of their units, with filters. Keyset pages, no COUNT(*)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from egov.core.pagination import keyset_page
from egov.dossiers import online, selectors
from egov.dossiers.forms import DossierFilterForm
from egov.dossiers.views.common import officer_required, safe_reverse

#: online dossiers waiting for intake at the officer's one-stop units
TAB_ONLINE = "online"


def _query_without_cursor(request) -> str:
    params = [(k, v) for k, values in request.GET.lists() for v in values if k != "before"]
    return urlencode(params)


@officer_required
def inbox(request):
    user = request.user
    units = selectors.onestop_units(user)
    tab = request.GET.get("tab", selectors.TAB_TODO)
    if tab not in (*selectors.TABS, TAB_ONLINE) or (
        tab in (selectors.TAB_SUPPLEMENT, selectors.TAB_RETURN, TAB_ONLINE) and not units
    ):
        tab = selectors.TAB_TODO
    cursor = request.GET.get("before")
    filter_form = None
    now = timezone.now()
    if tab == selectors.TAB_ALL:
        filter_form = DossierFilterForm(request.GET)
        filters = selectors.DossierFilter()
        if filter_form.is_valid():
            cd = filter_form.cleaned_data
            filters = selectors.DossierFilter(
                state=cd["state"],
                code=cd["code"],
                applicant=cd["applicant"],
                received_from=cd["received_from"],
                received_to=cd["received_to"],
            )
        page = selectors.unit_page(user, filters, cursor=cursor, now=now)
    elif tab == TAB_ONLINE:
        page = keyset_page(online.waiting_intake(units), key="id", cursor=cursor, size=30)
        page.items = [selectors.InboxRow(d, None, None) for d in page.items]
    else:
        page = selectors.inbox(user, tab, cursor=cursor, now=now, units=units)
    context = {
        "tab": tab,
        "tabs": _tabs(units),
        "page": page,
        "query": _query_without_cursor(request),
        "filter_form": filter_form,
        "is_onestop": bool(units),
        "soon_hours": settings.EGOV_DOSSIER_DUE_SOON_HOURS,
        "register_url": safe_reverse("dossiers:register") if units else None,
    }
    return render(request, "dossiers/inbox.html", context)


def _tabs(units) -> list[tuple[str, str]]:
    from django.utils.translation import gettext as _

    tabs = [(selectors.TAB_TODO, _("Cần xử lý"))]
    if units:
        tabs += [
            (TAB_ONLINE, _("Chờ tiếp nhận trực tuyến")),
            (selectors.TAB_SUPPLEMENT, _("Chờ bổ sung")),
            (selectors.TAB_RETURN, _("Chờ trả kết quả")),
        ]
    tabs.append((selectors.TAB_ALL, _("Tất cả hồ sơ của đơn vị")))
    return tabs

"""Search of incoming and outgoing documents: words of the metadata and of the PDF text layer
(diacritics ignored, by the selectors), filters, keyset pages, scoped to what the officer may
see (confidentiality included)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render

from egov.accounts.scoping import visible_agency_ids
from egov.organizations.models import Agency

from .. import forms, selectors
from .common import officer_required


def _units(user):
    ids = visible_agency_ids(user)
    qs = Agency.objects.exclude(kind=Agency.Kind.ONESTOP)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.order_by("path")


@officer_required
def search(request):
    user = request.user
    form = forms.SearchForm(request.GET or None, units=_units(user))
    page, kind = None, request.GET.get("kind") or "in"
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        kind = cd["kind"] or "in"
        state = cd["state"] or ""
        prefix, _sep, value = state.partition(":")
        state = value if prefix == kind else ""
        common = {
            "date_from": cd["date_from"],
            "date_to": cd["date_to"],
            "doc_type": cd["doc_type"],
            "unit_id": cd["unit"].pk if cd["unit"] else None,
            "state": state,
            "cursor": request.GET.get("after"),
            "size": 50,
        }
        if kind == "out":
            page = selectors.search_outgoing(user, cd["q"], **common)
        else:
            page = selectors.search_incoming(user, cd["q"], issuer=cd["issuer"], **common)
    params = [(k, v) for k, values in request.GET.lists() for v in values if k != "after"]
    return render(
        request,
        "documents/search.html",
        {"form": form, "page": page, "kind": kind, "query": urlencode(params)},
    )

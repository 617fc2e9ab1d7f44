"""Pages that print the one-stop forms: a dossier's form 01–06 as PDF, and the register
(form 07) for a period as PDF or Excel. Read-only: nothing here changes a dossier."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from egov.accounts.scoping import visible_agency_ids
from egov.core.forms import StyledForm
from egov.dossiers import forms_pdf
from egov.dossiers.models import Dossier

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_REGISTER_DAYS = 366


def _safe_filename(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in ".-_" else "-" for ch in text)


@login_required
@require_GET
def form_pdf(request, pk: int, number: str):
    """Form ``number`` of a dossier the user may see, inline as PDF; a form that does not
    apply to the dossier (e.g. 04 without an apology) gives a 404 page that says why."""
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)
    reason = forms_pdf.form_unavailable_reason(dossier, number)
    extra = {}
    if reason is None and number == "02" and request.GET.get("yc", "").isdigit():
        extra["supplement_id"] = int(request.GET["yc"])
    if reason is None:
        try:
            pdf = forms_pdf.render_form(dossier, number, extra=extra)
        except forms_pdf.FormNotApplicable as exc:
            reason = str(exc)
    if reason is not None:
        return render(
            request,
            "dossiers/forms/unavailable.html",
            {"dossier": dossier, "number": number, "reason": reason},
            status=404,
        )
    name = _safe_filename(f"{dossier.code or f'ho-so-{dossier.pk}'}-mau-{number}.pdf")
    response = HttpResponse(pdf, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


class RegisterForm(StyledForm):
    """Period and format of the register. The GET parameters are ``from``, ``to`` (dd/mm/yyyy)
    and ``format`` (pdf / xlsx); "from" is a Python keyword, hence the fields added in
    ``__init__``."""

    FORMATS = [("pdf", "PDF"), ("xlsx", "Excel (XLSX)")]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_errors = {
            "invalid": _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 01/02/2026."),
        }
        self.fields["from"] = forms.DateField(
            label=_("Từ ngày (dd/mm/yyyy)"),
            input_formats=["%d/%m/%Y"],
            error_messages={"required": _("Nhập ngày bắt đầu."), **date_errors},
            widget=forms.DateInput(
                format="%d/%m/%Y", attrs={"placeholder": "01/02/2026", "autocomplete": "off"}
            ),
        )
        self.fields["to"] = forms.DateField(
            label=_("Đến ngày (dd/mm/yyyy)"),
            input_formats=["%d/%m/%Y"],
            error_messages={"required": _("Nhập ngày kết thúc."), **date_errors},
            widget=forms.DateInput(
                format="%d/%m/%Y", attrs={"placeholder": "28/02/2026", "autocomplete": "off"}
            ),
        )
        self.fields["format"] = forms.ChoiceField(
            label=_("Định dạng"),
            choices=self.FORMATS,
            initial="pdf",
            error_messages={
                "required": _("Chọn định dạng."),
                "invalid_choice": _("Định dạng phải là PDF hoặc Excel (XLSX)."),
            },
        )
        # StyledForm styled the fields that existed before; style these too.
        for name in ("from", "to"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["format"].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
            if (end - start).days + 1 > MAX_REGISTER_DAYS:
                raise forms.ValidationError(
                    _("Mỗi lần in sổ tối đa %(days)s ngày; hãy chọn khoảng ngắn hơn.")
                    % {"days": MAX_REGISTER_DAYS}
                )
        return data


def _month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def _keeper_agency(user):
    """The agency named in the register's header: the user's first active unit."""
    membership = (
        user.memberships.filter(is_active=True)
        .select_related("agency__parent")
        .order_by("agency__depth", "pk")
        .first()
        if hasattr(user, "memberships")
        else None
    )
    return membership.agency if membership is not None else None


@login_required
@require_GET
def register(request):
    """Sổ theo dõi hồ sơ (form 07) of the agencies the user sees, for a period (default: the
    current month): the form page, or the file when ``format`` is given and the dates are good."""
    first, last = _month_of(timezone.localdate())
    if "format" not in request.GET:
        form = RegisterForm(
            initial={"from": first, "to": last, "format": "pdf"},
        )
        return render(request, "dossiers/forms/register_page.html", {"form": form})
    form = RegisterForm(request.GET)
    if not form.is_valid():
        return render(request, "dossiers/forms/register_page.html", {"form": form}, status=400)
    start, end, kind = (
        form.cleaned_data["from"],
        form.cleaned_data["to"],
        form.cleaned_data["format"],
    )
    ids = visible_agency_ids(request.user)
    keeper = _keeper_agency(request.user)
    base = f"so-theo-doi-ho-so-{start:%Y%m%d}-{end:%Y%m%d}"
    if kind == "xlsx":
        content = forms_pdf.register_xlsx(ids, start, end, agency=keeper)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{base}.xlsx"'
    else:
        try:
            content = forms_pdf.render_register(
                ids, start, end, agency=keeper, max_rows=forms_pdf.REGISTER_PDF_MAX_ROWS
            )
        except forms_pdf.RegisterTooLarge as exc:
            form.add_error(None, str(exc))
            return render(request, "dossiers/forms/register_page.html", {"form": form}, status=400)
        response = HttpResponse(content, content_type=PDF)
        response["Content-Disposition"] = f'inline; filename="{base}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response

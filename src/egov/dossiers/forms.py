"""Forms of the officers' one-stop pages: counter intake, the dossier's action forms, the list
filters. They only parse what the officer typed; the rules (ID number, required papers, which
transition is allowed) are checked by ``dossiers.services``, whose messages the views put on
the matching fields."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import from_current_timezone
from django.utils.translation import gettext_lazy as _

from egov.core.files import CheckedFileField, clean_original_name
from egov.core.forms import StyledForm
from egov.dossiers.models import ApplicantKind, ReturnMethod, State
from egov.organizations.models import Agency

SCAN_KINDS = ("pdf", "png", "jpeg", "tiff")
DATETIME_FORMAT = "%d/%m/%Y %H:%M"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleCheckedFileField(CheckedFileField):
    """Several files in one input, each checked by ``core.files.check_upload``; an error names
    the file it is about. Cleans to a list (empty when nothing was chosen)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(super().clean(upload, initial))
            except ValidationError as exc:
                name = clean_original_name(getattr(upload, "name", ""))
                errors += [f"{name}: {message}" for message in exc.messages]
        if errors:
            raise ValidationError(errors)
        return cleaned


def _text(label, max_length, **kwargs):
    kwargs.setdefault("required", False)
    return forms.CharField(label=label, max_length=max_length, **kwargs)


# --- counter intake -------------------------------------------------------------------------


class ProcedureSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm thủ tục"), max_length=200, required=False)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)


class IntakeForm(StyledForm):
    """Step 2 of the counter intake: the applicant, the checklist of papers with their scans,
    how the result is returned. ``papers`` are the version's ``RequiredPaper`` rows."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    version = forms.IntegerField(widget=forms.HiddenInput)
    unit = forms.IntegerField(widget=forms.HiddenInput)
    applicant_kind = forms.ChoiceField(
        label=_("Người nộp hồ sơ là"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect,
    )
    applicant_name = _text(_("Họ tên người nộp / tên tổ chức"), 255)
    applicant_id_number = _text(
        _("Số định danh cá nhân (CCCD)"),
        20,
        help_text=_("12 chữ số"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_tax_code = _text(
        _("Mã số thuế"), 20, help_text=_("Với tổ chức, doanh nghiệp: 10 chữ số (chi nhánh: 13)")
    )
    applicant_phone = _text(
        _("Số điện thoại"), 20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    applicant_email = _text(
        _("Thư điện tử"), 254, widget=forms.TextInput(attrs={"inputmode": "email"})
    )
    applicant_address = _text(_("Địa chỉ"), 500)
    subject = _text(_("Nội dung yêu cầu"), 500, help_text=_("Để trống thì dùng tên thủ tục"))
    papers = forms.TypedMultipleChoiceField(
        label=_("Thành phần hồ sơ đã nhận"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    return_method = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"),
        choices=ReturnMethod.choices,
        initial=ReturnMethod.COUNTER,
        widget=forms.RadioSelect,
    )
    refuse_reason = _text(
        _("Lý do từ chối tiếp nhận"), 2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, papers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.paper_rows = list(papers)
        self.fields["papers"].choices = [(p.order, p.name) for p in self.paper_rows]
        for paper in self.paper_rows:
            field = MultipleCheckedFileField(
                label=_("Bản quét: %(name)s") % {"name": paper.name},
                allowed=SCAN_KINDS,
                required=False,
            )
            field.widget.attrs["class"] = "form-control form-control-sm"
            self.fields[f"scan_{paper.order}"] = field

    def clean_applicant_id_number(self):
        return "".join(self.cleaned_data.get("applicant_id_number", "").split())

    def rows(self):
        """(paper, its checkbox, its scan field) for the checklist table."""
        boxes = {int(w.data["value"]): w for w in self["papers"]}
        return [(p, boxes[p.order], self[f"scan_{p.order}"]) for p in self.paper_rows]

    def scans(self) -> list[tuple[object, int]]:
        """(uploaded file, paper order) of every scan chosen."""
        return [
            (upload, paper.order)
            for paper in self.paper_rows
            for upload in self.cleaned_data.get(f"scan_{paper.order}") or []
        ]


# --- actions on a dossier -------------------------------------------------------------------


class ActionForm(StyledForm):
    """Every action carries the dossier version the officer saw (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class HandOverForm(ActionForm):
    note = _text(_("Ý kiến, ghi chú khi chuyển"), 2000, widget=forms.Textarea(attrs={"rows": 2}))
    to_user = forms.ModelChoiceField(
        label=_("Người nhận ở bước tiếp theo"),
        queryset=None,
        required=False,
        empty_label=_("— Để đơn vị tiếp nhận tự phân công —"),
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        from egov.accounts.models import User

        self.fields["to_user"].queryset = members if members is not None else User.objects.none()


class AssignForm(ActionForm):
    step = forms.IntegerField(widget=forms.HiddenInput)
    assignee = forms.ModelChoiceField(label=_("Giao cho cán bộ"), queryset=None)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        from egov.accounts.models import User

        self.fields["assignee"].queryset = members if members is not None else User.objects.none()


class AttachResultForm(ActionForm):
    file = CheckedFileField(label=_("Văn bản kết quả (PDF)"), allowed=("pdf",))
    note = _text(_("Ghi chú kết quả"), 500)


class RequestSupplementForm(ActionForm):
    reason = _text(
        _("Nội dung cần bổ sung, hoàn thiện"), 2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    papers = _text(
        _("Giấy tờ cần bổ sung (mỗi dòng một loại)"),
        2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def paper_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("papers", "").splitlines()]


class ReceiveSupplementForm(ActionForm):
    files = MultipleCheckedFileField(
        label=_("Bản quét giấy tờ bổ sung"), allowed=SCAN_KINDS, required=False
    )
    note = _text(_("Ghi chú"), 500)


class VietnameseDateTimeField(forms.DateTimeField):
    """Only ``dd/mm/yyyy HH:MM`` (Django would also take ISO dates, silently at midnight)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return from_current_timezone(value)
        try:
            parsed = dt.datetime.strptime(str(value).strip(), DATETIME_FORMAT)
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        return from_current_timezone(parsed)


class ExtendForm(ActionForm):
    new_due_at = VietnameseDateTimeField(
        label=_("Hạn trả kết quả mới (dd/mm/yyyy HH:MM)"),
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(
            format=DATETIME_FORMAT, attrs={"placeholder": "dd/mm/yyyy HH:MM"}
        ),
        error_messages={"invalid": _("Nhập ngày giờ theo dạng dd/mm/yyyy HH:MM.")},
    )
    reason = _text(_("Lý do chậm trễ"), 2000, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(ActionForm):
    to_agency = forms.ModelChoiceField(label=_("Chuyển đến cơ quan"), queryset=None)
    days = forms.DecimalField(
        label=_("Thời hạn xử lý tại cơ quan đó (ngày làm việc)"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        initial=1,
    )
    note = _text(_("Ghi chú"), 2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = (
            targets if targets is not None else Agency.objects.none()
        )


class ReasonForm(ActionForm):
    reason = _text(_("Lý do"), 2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(ActionForm):
    received_by = _text(_("Họ tên người nhận kết quả"), 255)
    note = _text(_("Ghi chú"), 500)


# --- the unit's list -------------------------------------------------------------------------


class DossierFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Tất cả"))] + list(State.choices),
        required=False,
    )
    code = _text(_("Mã hồ sơ"), 40)
    applicant = _text(_("Người nộp (tên, CCCD, mã số thuế, điện thoại)"), 200)
    received_from = forms.DateField(
        label=_("Tiếp nhận từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = forms.DateField(
        label=_("đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm".replace(
                "form-select form-control-sm", "form-select form-select-sm"
            )

"""Forms of the officers' document pages (văn bản đến, văn bản đi, tìm kiếm). They only parse
what the officer typed; the rules of Nghị định 30/2020 (number format, types, roles, states,
duplicates) are checked by ``documents.services``, whose messages the views put on the
matching fields."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from egov.core.files import CheckedFileField
from egov.core.forms import StyledForm
from egov.dossiers.forms import MultipleCheckedFileField
from egov.organizations.models import Agency

from . import doctypes
from .models import InState, OutState, Secrecy, Source, Urgency

#: files the clerk may register: electronic PDFs and scans
SCAN_KINDS = ("pdf", "png", "jpeg", "tiff")
#: draft and attachment files
DRAFT_KINDS = ("pdf", "docx", "odt", "xlsx", "ods", "png", "jpeg")
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _text(label, max_length, **kwargs):
    kwargs.setdefault("required", False)
    return forms.CharField(label=label, max_length=max_length, **kwargs)


def _area(label, max_length=4000, rows=2, **kwargs):
    return _text(label, max_length, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class VietnameseDateField(forms.DateField):
    """A date typed as dd/mm/yyyy (the ISO form is accepted too)."""

    widget = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault(
            "error_messages",
            {"invalid": _("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/03/2026.")},
        )
        super().__init__(**kwargs)


def type_choices(blank: str | None = None):
    out = [("", blank)] if blank is not None else []
    return out + doctypes.choices()


# --- incoming: registration ---------------------------------------------------------------------


class UploadForm(StyledForm):
    """Step 1 of the registration: the file (electronic PDF or scan)."""

    file = CheckedFileField(
        label=_("Tệp văn bản (PDF điện tử hoặc bản quét PDF, PNG, JPEG, TIFF)"),
        allowed=SCAN_KINDS,
    )


class IncomingForm(StyledForm):
    """Step 2: the metadata of Phụ lục VI (pre-filled from the file), checked by the clerk."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=2000)
    source = forms.ChoiceField(
        label=_("Hình thức văn bản"),
        choices=[(Source.UPLOAD, Source.UPLOAD.label), (Source.SCAN, Source.SCAN.label)],
    )
    issuer_name = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)
    issuer_code = _text(_("Mã định danh cơ quan ban hành"), 13)
    number_symbol = forms.CharField(
        label=_("Số, ký hiệu văn bản"), max_length=45, help_text=_("Ví dụ: 12/UBND-VX")
    )
    issued_date = VietnameseDateField(label=_("Ngày văn bản"))
    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=())
    subject = forms.CharField(
        label=_("Trích yếu nội dung"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    signer_name = _text(_("Người ký"), 50)
    signer_position = _text(_("Chức vụ người ký"), 100)
    page_count = forms.IntegerField(label=_("Số trang"), required=False, min_value=1)
    urgency = forms.TypedChoiceField(
        label=_("Độ khẩn"), choices=Urgency.choices, coerce=int, initial=Urgency.NORMAL
    )
    secrecy = forms.TypedChoiceField(
        label=_("Độ mật"), choices=Secrecy.choices, coerce=int, initial=Secrecy.NORMAL
    )
    due_days = forms.IntegerField(
        label=_("Thời hạn giải quyết (ngày làm việc)"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Để trống nếu văn bản không có thời hạn"),
    )
    description = _text(_("Ghi chú"), 500)
    attachments = MultipleCheckedFileField(
        label=_("Phụ lục, tệp đính kèm"), allowed=SCAN_KINDS, required=False
    )
    confirm_duplicate = forms.BooleanField(
        label=_("Tôi đã kiểm tra: đây không phải văn bản đã vào sổ, vẫn vào sổ văn bản này"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = type_choices(_("— Chọn loại văn bản —"))


class PendingRegisterForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    due_days = forms.IntegerField(
        label=_("Thời hạn giải quyết (ngày làm việc)"), required=False, min_value=1
    )
    confirm_duplicate = forms.BooleanField(
        label=_("Vẫn vào sổ nếu trùng văn bản đã có"), required=False
    )


class ReasonForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = _area(_("Lý do"), required=True)


# --- incoming: direction and processing ------------------------------------------------------


class DirectForm(StyledForm):
    """Phiếu giải quyết văn bản đến, part 1: the leader's direction."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    lead = forms.ModelChoiceField(
        label=_("Đơn vị chủ trì"), queryset=Agency.objects.none(), empty_label=None
    )
    lead_days = forms.IntegerField(
        label=_("Hạn của đơn vị chủ trì (ngày làm việc)"), required=False, min_value=1
    )
    lead_date = VietnameseDateField(label=_("hoặc đến ngày"), required=False)
    coordinating = forms.ModelMultipleChoiceField(
        label=_("Đơn vị phối hợp"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    coordinating_days = forms.IntegerField(
        label=_("Hạn của đơn vị phối hợp (ngày làm việc)"), required=False, min_value=1
    )
    coordinating_date = VietnameseDateField(label=_("hoặc đến ngày"), required=False)
    opinion = _area(_("Ý kiến chỉ đạo"), rows=3)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = units if units is not None else Agency.objects.none()
        self.fields["lead"].queryset = qs
        self.fields["coordinating"].queryset = qs

    def clean(self):
        cd = super().clean()
        for prefix in ("lead", "coordinating"):
            if cd.get(f"{prefix}_days") and cd.get(f"{prefix}_date"):
                self.add_error(
                    f"{prefix}_date",
                    _("Chọn số ngày làm việc hoặc ngày cụ thể, không chọn cả hai."),
                )
        lead = cd.get("lead")
        if lead is not None and lead in (cd.get("coordinating") or []):
            self.add_error("coordinating", _("Đơn vị chủ trì không đồng thời là đơn vị phối hợp."))
        return cd


class CloseForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = _area(_("Ý kiến (lưu, để biết)"))


class AssignmentForm(StyledForm):
    assignment = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(AssignmentForm):
    specialist = forms.ModelChoiceField(label=_("Giao chuyên viên"), queryset=None)
    opinion = _area(_("Ý kiến của lãnh đạo đơn vị"))

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        from egov.accounts.models import User

        self.fields["specialist"].queryset = members if members is not None else User.objects.none()


class ProgressForm(AssignmentForm):
    note = _area(_("Tiến độ, ý kiến, đề xuất"), required=True)


class CompleteForm(AssignmentForm):
    result = _area(_("Kết quả xử lý"), rows=3)
    reply = forms.ModelChoiceField(
        label=_("Văn bản trả lời (nếu có)"),
        queryset=None,
        required=False,
        empty_label=_("— Không có —"),
    )

    def __init__(self, *args, replies=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import OutgoingDocument

        self.fields["reply"].queryset = (
            replies if replies is not None else OutgoingDocument.objects.none()
        )
        self.fields["reply"].label_from_instance = lambda d: (
            f"{d.number_symbol or _('Dự thảo')} – {d.subject[:80]} ({d.get_state_display()})"
        )


# --- outgoing -----------------------------------------------------------------------------------


def _lines(value: str) -> list[str]:
    text = (value or "").replace(";", "\n").replace(",", "\n")
    return [line.strip() for line in text.splitlines() if line.strip()]


class DraftForm(StyledForm):
    """A draft: type from the decree's list, subject, recipients, body or file, attachments."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reply_to = forms.IntegerField(widget=forms.HiddenInput, required=False)
    replaces = forms.IntegerField(widget=forms.HiddenInput, required=False)
    drafting_unit = forms.ModelChoiceField(
        label=_("Đơn vị soạn thảo"), queryset=Agency.objects.none(), empty_label=None
    )
    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=())
    subject = forms.CharField(
        label=_("Trích yếu nội dung"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = _area(_("Nội dung"), max_length=100_000, rows=8)
    file = CheckedFileField(
        label=_("Tệp dự thảo (thay cho nội dung, mỗi lần tải là một phiên bản mới)"),
        allowed=DRAFT_KINDS,
        required=False,
    )
    attachments = MultipleCheckedFileField(
        label=_("Phụ lục, tệp đính kèm"), allowed=DRAFT_KINDS, required=False
    )
    internal = forms.ModelMultipleChoiceField(
        label=_("Nơi nhận trong hệ thống"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Văn bản đến ngay hộp văn bản chờ vào sổ của cơ quan nhận"),
    )
    emails = _area(
        _("Nơi nhận qua thư điện tử"), max_length=2000, help_text=_("Mỗi dòng một địa chỉ")
    )
    paper = _area(_("Nơi nhận bản giấy"), max_length=2000, help_text=_("Mỗi dòng một nơi nhận"))
    urgency = forms.TypedChoiceField(
        label=_("Độ khẩn"), choices=Urgency.choices, coerce=int, initial=Urgency.NORMAL
    )
    secrecy = forms.TypedChoiceField(
        label=_("Độ mật"), choices=Secrecy.choices, coerce=int, initial=Secrecy.NORMAL
    )
    due_date = VietnameseDateField(label=_("Hạn trả lời (nếu có)"), required=False)
    authority = _text(
        _("Thẩm quyền ký"), 100, help_text=_("Ví dụ: TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH")
    )
    signer_position = _text(_("Chức vụ người ký"), 100)
    issued_amount = forms.IntegerField(
        label=_("Số lượng bản"), min_value=1, max_value=999, initial=1
    )

    def __init__(self, *args, units=None, recipients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = type_choices(_("— Chọn loại văn bản —"))
        self.fields["drafting_unit"].queryset = (
            units if units is not None else Agency.objects.none()
        )
        self.fields["internal"].queryset = (
            recipients if recipients is not None else Agency.objects.none()
        )

    def clean_emails(self):
        return _lines(self.cleaned_data.get("emails", ""))

    def clean_paper(self):
        return [
            line.strip() for line in self.cleaned_data.get("paper", "").splitlines() if line.strip()
        ]


class VersionForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class NoteForm(VersionForm):
    note = _area(_("Ý kiến"))


class SendForReviewForm(NoteForm):
    reviewer = forms.ModelChoiceField(
        label=_("Trình cho"),
        queryset=None,
        required=False,
        empty_label=_("— Lãnh đạo đơn vị (bất kỳ) —"),
    )

    def __init__(self, *args, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        from egov.accounts.models import User

        self.fields["reviewer"].queryset = (
            reviewers if reviewers is not None else User.objects.none()
        )


class ReturnForm(VersionForm):
    comments = _area(_("Ý kiến trả lại (cần sửa gì)"), required=True, rows=3)


class SignForm(VersionForm):
    authority = _text(_("Thẩm quyền ký"), 100)
    signer_position = _text(_("Chức vụ người ký"), 100)


class CorrectForm(VersionForm):
    note = _area(_("Nội dung đính chính"), required=True)
    file = CheckedFileField(
        label=_("Văn bản đính chính (nếu có)"), allowed=SCAN_KINDS, required=False
    )


class RecallForm(VersionForm):
    reason = _area(_("Lý do thu hồi"), required=True)


class PaperSentForm(StyledForm):
    recipient = forms.IntegerField(widget=forms.HiddenInput)


# --- search -------------------------------------------------------------------------------------


class SearchForm(forms.Form):
    KIND_CHOICES = [("in", _("Văn bản đến")), ("out", _("Văn bản đi"))]

    kind = forms.ChoiceField(
        label=_("Sổ"), choices=KIND_CHOICES, initial="in", required=False, widget=forms.Select
    )
    q = _text(_("Từ khóa"), 200)
    date_from = VietnameseDateField(label=_("Từ ngày"), required=False)
    date_to = VietnameseDateField(label=_("Đến ngày"), required=False)
    issuer = _text(_("Cơ quan ban hành"), 200)
    doc_type = forms.ChoiceField(label=_("Loại văn bản"), required=False, choices=())
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("— Tất cả —"),
    )
    state = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=())

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = type_choices(_("— Tất cả —"))
        self.fields["unit"].queryset = units if units is not None else Agency.objects.none()
        states = [("", _("— Tất cả —"))]
        states += [(f"in:{v}", f"{_('Đến')}: {label}") for v, label in InState.choices]
        states += [(f"out:{v}", f"{_('Đi')}: {label}") for v, label in OutState.choices]
        self.fields["state"].choices = states
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm"

    def clean(self):
        cd = super().clean()
        start, end = cd.get("date_from"), cd.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("“Từ ngày” phải trước “Đến ngày”."))
        if end and end > dt.date.today() + dt.timedelta(days=366):
            self.add_error("date_to", _("Ngày quá xa."))
        return cd

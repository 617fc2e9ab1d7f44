"""Forms of the catalog pages: the list filter, the version editor (version fields + formsets
for papers, fees and steps) and the import upload. They only check input; the change itself
is made by ``services.save_version`` / ``services.set_active`` in the views."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import Role
from egov.core.files import CheckedFileField
from egov.core.forms import StyledForm
from egov.procedures.importexport import check_catalog_upload, number_text
from egov.procedures.models import (
    AgencyLevel,
    Fee,
    Field,
    OnlineLevel,
    ProcedureVersion,
    ProcessStep,
    RequiredPaper,
    national_code_validator,
)

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
TEMPLATE_KINDS = ("pdf", "docx", "odt", "xlsx", "ods")


class CommaDecimalInput(forms.TextInput):
    """Shows ``0,5`` rather than ``0.50`` (Vietnamese decimal comma)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return number_text(value)
        return super().format_value(value)


class CommaDecimalField(forms.DecimalField):
    """A decimal typed with a comma or a dot: ``0,5`` = ``0.5``."""

    default_error_messages = {"invalid": _("Nhập một số, ví dụ 15 hoặc 0,5.")}

    widget = CommaDecimalInput

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace(",", ".")
        return super().to_python(value)


class CatalogForm(StyledForm):
    """StyledForm with plain Vietnamese messages for a bad choice or number (Django's own
    Vietnamese wording is clumsy)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField
            ):
                field.error_messages["invalid_choice"] = _(
                    "“%(value)s” không có trong danh sách; hãy chọn lại."
                )
            elif isinstance(field, forms.ModelChoiceField):
                field.error_messages["invalid_choice"] = _(
                    "Lựa chọn không còn trong danh sách; hãy chọn lại."
                )
            elif type(field) is forms.IntegerField:
                field.error_messages["invalid"] = _("Nhập một số nguyên.")


class CatalogFilterForm(CatalogForm):
    q = forms.CharField(label=_("Tìm theo mã, tên, lĩnh vực"), required=False, max_length=100)
    level = forms.ChoiceField(
        label=_("Cấp thực hiện"),
        required=False,
        choices=[("", _("Tất cả các cấp")), *AgencyLevel.choices],
    )
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        required=False,
        queryset=Field.objects.order_by("name"),
        empty_label=_("Tất cả lĩnh vực"),
    )
    online_level = forms.ChoiceField(
        label=_("Mức độ DVC"),
        required=False,
        choices=[("", _("Tất cả mức độ")), *OnlineLevel.choices],
    )
    inactive = forms.BooleanField(label=_("Hiện cả thủ tục ngừng áp dụng"), required=False)


class VersionForm(CatalogForm):
    """The fields of one procedure version. ``national_code`` only when creating a procedure;
    ``effective_from`` is fixed when editing an existing version."""

    national_code = forms.CharField(
        label=_("Mã thủ tục"),
        max_length=20,
        validators=[national_code_validator],
        help_text=_("Mã trên Cơ sở dữ liệu quốc gia về TTHC, dạng 1.001234"),
    )
    effective_from = forms.DateField(
        label=_("Hiệu lực từ ngày"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
        ),
    )
    name = forms.CharField(label=_("Tên thủ tục"), max_length=500)
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Field.objects.order_by("name"),
        required=False,
        empty_label=_("— chọn lĩnh vực hoặc nhập lĩnh vực mới bên dưới —"),
    )
    new_field_code = forms.CharField(label=_("Mã lĩnh vực mới"), max_length=30, required=False)
    new_field_name = forms.CharField(label=_("Tên lĩnh vực mới"), max_length=255, required=False)
    level = forms.ChoiceField(label=_("Cấp thực hiện"), choices=AgencyLevel.choices)
    online_level = forms.ChoiceField(label=_("Mức độ DVC"), choices=OnlineLevel.choices)
    processing_time = CommaDecimalField(
        label=_("Thời hạn giải quyết"), max_digits=6, decimal_places=2, min_value=0
    )
    time_unit = forms.ChoiceField(
        label=_("Đơn vị thời hạn"), choices=ProcedureVersion.TimeUnit.choices
    )
    cutoff_time = forms.TimeField(
        label=_("Giờ chốt nhận trong ngày"),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(format="%H:%M", attrs={"placeholder": "15:00"}),
        help_text=_(
            "Hồ sơ nhận sau giờ này tính từ ngày làm việc tiếp theo; để trống nếu không có"
        ),
    )
    legal_basis = forms.CharField(
        label=_("Căn cứ pháp lý"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    result_type = forms.CharField(label=_("Kết quả thực hiện"), max_length=500, required=False)
    applicant_kinds = forms.CharField(
        label=_("Đối tượng thực hiện"), max_length=200, required=False
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, creating: bool = False, fixed_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_date = fixed_date
        if not creating:
            del self.fields["national_code"]
        if fixed_date is not None:
            self.fields["effective_from"].disabled = True
            self.fields["effective_from"].initial = fixed_date
            self.fields["effective_from"].help_text = _(
                "Sửa nội dung phiên bản này; muốn đổi ngày hiệu lực hãy tạo phiên bản mới."
            )

    def clean(self):
        data = super().clean()
        field, code, name = (
            data.get("field"),
            data.get("new_field_code"),
            data.get("new_field_name"),
        )
        if field is None and not code:
            self.add_error("field", _("Chọn một lĩnh vực hoặc nhập mã và tên lĩnh vực mới."))
        elif field is None and code and not name and not Field.objects.filter(code=code).exists():
            self.add_error("new_field_name", _("Lĩnh vực mới cần có tên."))
        return data


class PaperForm(CatalogForm):
    name = forms.CharField(
        label=_("Tên giấy tờ"), max_length=500, widget=forms.TextInput(attrs={"class": "egov-wide"})
    )
    kind = forms.ChoiceField(
        label=_("Loại bản"), choices=RequiredPaper.Kind.choices, initial="original"
    )
    count = forms.IntegerField(label=_("Số lượng"), min_value=1, max_value=100, initial=1)
    required = forms.BooleanField(label=_("Bắt buộc"), required=False, initial=True)
    template_name = forms.CharField(label=_("Tên mẫu đơn, tờ khai"), max_length=200, required=False)
    template = CheckedFileField(
        label=_("Tệp mẫu (PDF, Word, Excel)"), allowed=TEMPLATE_KINDS, required=False
    )
    keep_template = forms.CharField(widget=forms.HiddenInput, required=False)

    def has_changed(self):
        # A blank extra row whose only content is the initial kind/count/required is empty.
        return bool(
            self.data.get(self.add_prefix("name"), "").strip()
            or self.files.get(self.add_prefix("template"))
        )


class AmountInput(forms.TextInput):
    """Shows ``75.000`` rather than ``75000``."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return super().format_value(value)


class AmountField(forms.IntegerField):
    """Money in đồng typed as ``100000``, ``100.000`` or ``100.000 đ``."""

    default_error_messages = {"invalid": _("Nhập số tiền bằng số, ví dụ 100.000.")}

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removesuffix("đ").strip()
            value = value.replace(".", "").replace(",", "").replace(" ", "")
        return super().to_python(value)


class FeeForm(CatalogForm):
    name = forms.CharField(
        label=_("Tên khoản thu"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "egov-wide"}),
    )
    kind = forms.ChoiceField(label=_("Loại"), choices=Fee.Kind.choices, initial="charge")
    amount = AmountField(
        label=_("Số tiền (đồng)"),
        min_value=0,
        max_value=10**12,
        widget=AmountInput,
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def has_changed(self):
        return bool(self.data.get(self.add_prefix("name"), "").strip())


class StepForm(CatalogForm):
    name = forms.CharField(
        label=_("Tên bước"), max_length=300, widget=forms.TextInput(attrs={"class": "egov-wide"})
    )
    unit = forms.ChoiceField(
        label=_("Đơn vị thực hiện"), choices=ProcessStep.Unit.choices, initial="department"
    )
    department_abbreviation = forms.CharField(
        label=_("Viết tắt phòng"),
        max_length=20,
        required=False,
        help_text=_("Ví dụ TP, KTHT; để trống ở cấp xã"),
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices, initial=Role.SPECIALIST)
    duration = CommaDecimalField(label=_("Thời gian"), max_digits=6, decimal_places=2, min_value=0)

    def has_changed(self):
        return bool(self.data.get(self.add_prefix("name"), "").strip())


PaperFormSet = forms.formset_factory(PaperForm, extra=2, can_delete=True, max_num=50)
FeeFormSet = forms.formset_factory(FeeForm, extra=1, can_delete=True, max_num=20)
StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True, max_num=20)


class ImportForm(CatalogForm):
    file = forms.FileField(
        label=_("Tệp danh mục (Excel .xlsx hoặc CSV UTF-8)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.checked = check_catalog_upload(uploaded)
        return uploaded


def step_total_error(processing_time, steps: list[dict]) -> ValidationError | None:
    """The same rule as the service, checked early so the message sits on the steps table."""
    if processing_time is None:
        return None
    total = sum((s["duration"] for s in steps), Decimal("0"))
    if total > processing_time:
        return ValidationError(
            _("Tổng thời gian các bước (%(total)s) vượt thời hạn giải quyết (%(limit)s).")
            % {"total": number_text(total), "limit": number_text(processing_time)}
        )
    return None

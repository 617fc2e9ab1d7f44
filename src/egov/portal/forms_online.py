"""Forms of online submission. The procedure's own fields come from its JSON Schema and are
rendered from ``dossiers.online.fields_of`` (checked by ``dossiers.online``); these are the
fixed parts: where to submit, how the result is returned, the supplement."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.dossiers.forms import MultipleCheckedFileField
from egov.dossiers.models import ReturnMethod
from egov.dossiers.online import UPLOAD_KINDS
from egov.organizations.models import Agency


class StartForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Nộp hồ sơ đến"),
        queryset=Agency.objects.none(),
        empty_label=_("— Chọn cơ quan giải quyết —"),
        error_messages={
            "required": _("Vui lòng chọn cơ quan giải quyết."),
            "invalid_choice": _("Cơ quan đã chọn không giải quyết thủ tục này."),
        },
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()


class ReturnMethodForm(forms.Form):
    return_method = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"),
        choices=ReturnMethod.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Vui lòng chọn hình thức nhận kết quả.")},
    )
    postal_address = forms.CharField(
        label=_("Địa chỉ nhận kết quả qua bưu chính"),
        required=False,
        max_length=500,
        help_text=_(
            "Số nhà, thôn/xóm, xã/phường, tỉnh/thành phố; bắt buộc khi nhận qua bưu chính."
        ),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "street-address"}),
    )


class SupplementForm(forms.Form):
    files = MultipleCheckedFileField(
        label=_("Giấy tờ bổ sung (PDF hoặc ảnh)"),
        allowed=UPLOAD_KINDS,
        required=True,
        error_messages={"required": _("Vui lòng tải lên ít nhất một giấy tờ bổ sung.")},
    )
    note = forms.CharField(
        label=_("Ghi chú gửi cán bộ"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs.update({"class": "form-control", "multiple": True})


class SubmitForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.files import CheckedFileField


class VerifyForm(forms.Form):
    file = CheckedFileField(
        label=_("Tệp PDF cần kiểm tra"),
        allowed=("pdf",),
        help_text=_("Tệp PDF đã ký số (văn bản điện tử nhận được, kết quả giải quyết hồ sơ…)."),
    )

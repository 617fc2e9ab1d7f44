"""Forms of the citizen account pages: registration, code, password, profile, rating."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from egov.accounts.services import normalise_phone
from egov.core.forms import StyledForm
from egov.portal.models import SCORE_MAX, SCORE_MIN

SCORE_LABELS = {
    1: _("Rất không hài lòng"),
    2: _("Không hài lòng"),
    3: _("Bình thường"),
    4: _("Hài lòng"),
    5: _("Rất hài lòng"),
}


class RegisterForm(StyledForm):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại di động"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}),
        help_text=_("Mã xác nhận gồm 6 chữ số sẽ được gửi tới địa chỉ này."),
    )


class CodeForm(StyledForm):
    code = forms.RegexField(
        label=_("Mã xác nhận 6 chữ số"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Mã xác nhận gồm 6 chữ số.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordForm(StyledForm):
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = " ".join(password_validators_help_texts())

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Hai mật khẩu không giống nhau."))
        elif p1:
            try:
                validate_password(p1)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ProfileForm(StyledForm):
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    citizen_id = forms.RegexField(
        label=_("Số định danh cá nhân (CCCD)"),
        regex=r"^\d{12}$",
        required=False,
        error_messages={"invalid": _("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
    )
    address = forms.CharField(
        label=_("Địa chỉ"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, locked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.locked = set(locked)
        for name in locked:
            self.fields[name].disabled = True
            self.fields[name].help_text = _("Đã xác thực; không sửa được ở đây.")

    def clean_phone(self):
        value = self.cleaned_data.get("phone") or ""
        if not value or "phone" in self.locked:
            return value
        phone = normalise_phone(value)
        if phone is None:
            raise ValidationError(_("Số điện thoại di động không hợp lệ (ví dụ 0912345678)."))
        return phone


class RatingForm(StyledForm):
    comment = forms.CharField(
        label=_("Ý kiến góp ý (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (str(v), f"{v} – {SCORE_LABELS[v]}") for v in range(SCORE_MAX, SCORE_MIN - 1, -1)
        ]
        fields = {}
        for criterion in criteria:
            fields[f"c_{criterion.code}"] = forms.ChoiceField(
                label=criterion.name,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Chọn một mức đánh giá.")},
            )
        self.criteria = list(criteria)
        self.fields = {**fields, **self.fields}

    def criterion_fields(self):
        return [self[f"c_{c.code}"] for c in self.criteria]

    def scores(self) -> dict[str, int]:
        return {c.code: int(self.cleaned_data[f"c_{c.code}"]) for c in self.criteria}

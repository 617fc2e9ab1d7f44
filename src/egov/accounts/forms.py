from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.forms import StyledForm


class LoginForm(StyledForm):
    username = forms.CharField(
        label=_("Tên đăng nhập, email hoặc số điện thoại"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TOTPForm(StyledForm):
    code = forms.RegexField(
        label=_("Mã xác thực 6 chữ số"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Mã xác thực gồm 6 chữ số.")},
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.forms import StyledForm


class TrackForm(StyledForm):
    ma = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("In trên giấy tiếp nhận hồ sơ và hẹn trả kết quả."),
    )
    pin = forms.CharField(
        label=_("Mã tra cứu (PIN)"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        help_text=_("Mã tra cứu in trên giấy tiếp nhận."),
    )

    def clean_ma(self):
        return " ".join(self.cleaned_data["ma"].split()).upper()

    def clean_pin(self):
        return self.cleaned_data["pin"].strip()

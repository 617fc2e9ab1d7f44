"""Forms of the public pages: catalog search and statistics filters (GET forms)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core.forms import StyledForm
from egov.procedures.models import AgencyLevel, Field, OnlineLevel


class ProcedureSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Tìm thủ tục"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Ví dụ: đăng ký khai sinh")}
        ),
        help_text=_("Gõ có dấu hoặc không dấu."),
    )
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Field.objects.order_by("name"),
        required=False,
        empty_label=_("Tất cả lĩnh vực"),
    )
    level = forms.ChoiceField(
        label=_("Cơ quan thực hiện"),
        required=False,
        choices=[("", _("Tất cả các cấp"))] + list(AgencyLevel.choices),
    )
    online = forms.ChoiceField(
        label=_("Mức độ dịch vụ công"),
        required=False,
        choices=[("", _("Tất cả"))] + list(OnlineLevel.choices),
    )


def year_choices() -> list[tuple[str, str]]:
    this_year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(this_year, this_year - 6, -1)]


class StatsForm(StyledForm):
    agency = forms.ChoiceField(label=_("Cơ quan"), required=False)
    year = forms.ChoiceField(label=_("Năm"), required=False)
    subtree = forms.BooleanField(
        label=_("Gồm cả các cơ quan cấp dưới"), required=False, initial=True
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("Tất cả cơ quan"))] + [
            (str(a.pk), a.name) for a in agencies
        ]
        self.fields["year"].choices = year_choices()

"""Number and symbol format of NĐ 30/2020 (Phụ lục I II.3), series and the 1 January reset."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from egov.documents import doctypes, numbering
from egov.documents.models import NumberSeries

abbr = st.text(alphabet="ABCDĐEGHIKLMNOPQRSTUVXYyr", min_size=1, max_size=8)


def test_examples_of_the_decree():
    assert numbering.number_symbol(15, numbering.format_symbol("quyet_dinh", "BNV")) == "15/QĐ-BNV"
    assert (
        numbering.number_symbol(5, numbering.format_symbol("cong_van", "BNV", "VP")) == "05/BNV-VP"
    )
    assert (
        numbering.number_symbol(12, numbering.format_symbol("cong_van", "UBND", "VX"))
        == "12/UBND-VX"
    )
    assert numbering.format_symbol("quy_dinh", "UBND") == "QyĐ-UBND"
    assert numbering.format_symbol("chuong_trinh", "UBND") == "CTr-UBND"
    assert numbering.format_symbol("to_trinh", "UBND") == "TTr-UBND"
    assert numbering.format_symbol("thong_bao", "UBND") == "TB-UBND"
    assert numbering.format_symbol("ke_hoach", "UBND") == "KH-UBND"
    assert numbering.format_symbol("bao_cao", "UBND") == "BC-UBND"


def test_cong_van_never_gets_cv():
    assert doctypes.abbreviation("cong_van") == ""
    assert "CV" not in numbering.format_symbol("cong_van", "UBND", "VX")
    with pytest.raises(ValidationError) as exc:
        numbering.format_symbol("cong_van", "UBND", "")
    assert exc.value.code == "invalid_abbreviation"


def test_twenty_nine_types_of_article_7():
    administrative = [t for t in doctypes.DOC_TYPES if not t.legal_normative and not t.copy_form]
    assert len(administrative) == 29
    assert {t.abbreviation for t in administrative if not t.abbreviation} == {""}
    assert [t.code for t in administrative if not t.abbreviation] == ["cong_van", "thu_cong"]


def test_unknown_type_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as exc:
        numbering.format_symbol("cong_van_x", "UBND")
    assert exc.value.code == "doc_type_unknown"
    assert "Nghị định 30/2020" in exc.value.messages[0]


def test_abbreviations_are_configurable(settings):
    settings.EGOV_DOCUMENTS_TYPE_ABBREVIATIONS = ["thong_bao=TBáo", "phieu_trinh=PTr"]
    assert numbering.format_symbol("thong_bao", "UBND") == "TBáo-UBND"
    assert numbering.format_symbol("phieu_trinh", "UBND") == "PTr-UBND"


@given(st.integers(min_value=1, max_value=10**9))
def test_leading_zero_only_below_ten(n):
    text = numbering.format_number(n)
    assert int(text) == n
    assert text == (f"0{n}" if n < 10 else str(n))
    assert len(text) >= 2


@given(
    n=st.integers(min_value=1, max_value=99999),
    code=st.sampled_from([t.code for t in doctypes.DOC_TYPES]),
    issuer=abbr,
    unit=abbr,
)
def test_format_and_parse_round_trip(n, code, issuer, unit):
    symbol = numbering.format_symbol(code, issuer, unit)
    text = numbering.number_symbol(n, symbol)
    assert " " not in text
    assert text.count("/") == 1
    number, notation = text.split("/")
    assert number == numbering.format_number(n)
    groups = notation.split("-")
    assert len(groups) == 2
    t = doctypes.get(code)
    assert groups == ([t.abbreviation, issuer] if t.abbreviation else [issuer, unit])
    assert numbering.parse_number_symbol(f"Số: {text}") == (number, notation)


@given(st.integers(min_value=-5, max_value=0))
def test_non_positive_numbers_are_refused(n):
    with pytest.raises(ValueError):
        numbering.format_number(n)


@pytest.mark.parametrize("bad", ["", "UBND", "05", "05/", "/QĐ-UBND", "abc/def ghi"])
def test_parse_refuses_garbage(bad):
    with pytest.raises(ValidationError) as exc:
        numbering.parse_number_symbol(bad)
    assert exc.value.code == "invalid_number_symbol"


def test_parse_removes_spaces_typed_around_separators():
    assert numbering.parse_number_symbol("số 12 / UBND - VX") == ("12", "UBND-VX")


@pytest.mark.django_db
def test_series_selection(world):
    a = world.district.pk
    assert numbering.series_for(a, "quyet_dinh", 0).scope == f"doc-out:{a}:default"
    assert numbering.series_for(a, "cong_van", 0).scope == f"doc-out:{a}:default"
    assert numbering.series_for(a, "quyet_dinh", 1).scope == f"doc-out:{a}:secret"
    assert numbering.series_for(a, "qppl_quyet_dinh", 0).scope == f"doc-out:{a}:qppl_quyet_dinh"
    assert numbering.series_for(a, "ban_sao_y", 0).scope == f"doc-out:{a}:ban_sao_y"
    NumberSeries.objects.create(
        agency=world.district, key="qd", name="Sổ quyết định", doc_types=["quyet_dinh"]
    )
    NumberSeries.objects.create(agency=world.district, key="mat", name="Sổ mật", secret=True)
    assert numbering.series_for(a, "quyet_dinh", 0).scope == f"doc-out:{a}:qd"
    assert numbering.series_for(a, "quyet_dinh", 2).scope == f"doc-out:{a}:mat"
    assert numbering.series_for(a, "cong_van", 0).scope == f"doc-out:{a}:default"


@pytest.mark.django_db
def test_arrival_numbers_restart_each_year():
    with transaction.atomic():
        got = [numbering.next_arrival_number(7, 2025) for _ in range(3)]
        got.append(numbering.next_arrival_number(7, 2026))
        got.append(numbering.next_arrival_number(8, 2026))
    assert got == [1, 2, 3, 1, 1]

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov.core.models import CalendarOverride
from egov.core.text import Fold, fold, nfc, search


def test_fold_removes_diacritics_and_d_stroke():
    assert fold("Quyết định") == "quyet dinh"
    assert fold("ĐỒNG ĐỨC Đoàn") == "dong duc doan"
    assert fold("  Ủy   ban\tnhân dân ") == "uy ban nhan dan"
    assert fold(None) == ""


def test_nfc_makes_decomposed_input_equal():
    decomposed = "Quye\u0302\u0301t"  # e + circumflex + acute, as some keyboards type it
    assert decomposed != "Quyết"
    assert nfc(decomposed) == "Quyết"
    assert fold(decomposed) == "quyet"


@given(st.text())
def test_fold_is_idempotent(value):
    assert fold(fold(value)) == fold(value)


@given(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ ĐÂ"
    )
)
def test_folded_vietnamese_is_plain_ascii(value):
    assert fold(value).isascii()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["quyet dinh", "Quyết định", "QUYET DINH", "dinh quyet", "tb 9441"]
)
def test_search_matches_on_the_database(query):
    CalendarOverride.objects.create(
        date="2026-02-16", kind="day_off", name="Nghỉ theo Quyết định", notice="TB 9441/TB-BNV"
    )
    CalendarOverride.objects.create(
        date="2026-02-23", kind="day_off", name="Khác", notice="TB 1/TB"
    )
    found = list(
        search(CalendarOverride.objects.all(), query, ["name", "notice"]).values_list(
            "name", flat=True
        )
    )
    assert found == ["Nghỉ theo Quyết định"]


@pytest.mark.django_db
def test_database_fold_equals_python_fold():
    samples = ["Đỗ Sơn", "  Thị trấn   Thanh Ba ", "Hỏa tốc", "ĐĂNG KÝ KẾT HÔN", "Phường Việt Trì"]
    for i, name in enumerate(samples):
        CalendarOverride.objects.create(
            date=f"2030-01-{i + 1:02d}", kind="day_off", name=name, notice="x"
        )
    got = dict(CalendarOverride.objects.annotate(f=Fold("name")).values_list("name", "f"))
    assert got == {name: fold(name) for name in samples}

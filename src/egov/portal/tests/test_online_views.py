# ruff: noqa: F811 - pytest fixtures imported from the dossier tests
"""The citizen's online submission on the portal, with Django's test client: start, draft
(with and without the uploader script), review, submit (twice), the dossier page,
supplement, return method, the signed result."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egov.accounts.models import User
from egov.accounts.tests.factories import UserFactory
from egov.dossiers import online, services
from egov.dossiers.models import Dossier, DossierFile, OnlineDraft, State
from egov.dossiers.tests.conftest import world  # noqa: F401 - fixture
from egov.dossiers.tests.test_online import (  # noqa: F401 - fixtures
    GOOD,
    citizen,
    draft,
    make_pdf,
    pdf_upload,
    version,
)


@pytest.fixture
def client_in(client, citizen):
    client.force_login(citizen)
    return client


def form_post(extra=None):
    data = {f"f_{k}": v for k, v in GOOD.items()}
    data.update(
        {
            "a_name": "Trần Văn Dân",
            "a_id_number": "025090000777",
            "a_phone": "0912345670",
            "a_email": "",
            "a_address": "Thôn Đồng, xã Đỗ Thử",
            "return_method": "online",
            "postal_address": "",
        }
    )
    data.update(extra or {})
    return data


def test_login_and_a_citizen_account_are_required(client, world, version):
    url = reverse("portal:online_start", args=[version.pk])
    assert client.get(url).status_code == 302
    client.force_login(world.desk)
    assert client.get(url).status_code == 403


def test_start_creates_then_resumes_the_draft(client_in, world, version, citizen):
    url = reverse("portal:online_start", args=[version.pk])
    page = client_in.get(url)
    assert page.status_code == 200
    assert world.commune.name in page.content.decode()
    assert world.district.name not in page.content.decode()  # a commune procedure
    response = client_in.post(url, {"agency": world.commune.pk})
    draft = OnlineDraft.objects.get(citizen=citizen)
    assert response.url == reverse("portal:online_draft", args=[draft.pk])
    assert client_in.post(url, {"agency": world.commune.pk}).url == response.url
    assert 'data-testid="resume"' in client_in.get(url).content.decode()
    bad = client_in.post(url, {"agency": ""})
    assert bad.status_code == 400
    assert "Vui lòng chọn cơ quan giải quyết." in bad.content.decode()


def test_an_offline_procedure_cannot_be_started(client_in, version):
    version.online_level = "2"
    version.save(update_fields=["online_level"])
    assert client_in.get(reverse("portal:online_start", args=[version.pk])).status_code == 404


def test_the_draft_form_has_a_label_for_every_field(client_in, draft):
    html = client_in.get(reverse("portal:online_draft", args=[draft.pk])).content.decode()
    for spec in online.fields_of(online.schema_of(draft.procedure_version)):
        assert f'for="f-{spec.name}"' in html and f'id="f-{spec.name}"' in html
    for key in online.APPLICANT_KEYS:
        assert f'for="a-{key}"' in html
    for order in (1, 2, 3):
        assert f'for="paper_{order}"' in html
    assert "portal/online.js" in html
    assert 'value="Trần Văn Dân"' in html  # from the profile


def test_no_script_flow_keeps_typing_when_a_file_is_refused(client_in, draft):
    url = reverse("portal:online_draft", args=[draft.pk])
    data = form_post(
        {
            "paper_1": SimpleUploadedFile("to-khai.pdf", make_pdf()),
            "paper_2": SimpleUploadedFile("cccd.pdf", b"PK\x03\x04 zip"),
            "next": "save",
        }
    )
    response = client_in.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "cccd.pdf: Loại tệp không được chấp nhận" in html
    assert 'value="Nguyễn Minh An"' in html
    draft.refresh_from_db()
    assert draft.data["ho_ten_tre"] == "Nguyễn Minh An"
    assert list(draft.files) == ["1"]


def test_validation_messages_are_shown_on_review(client_in, draft):
    url = reverse("portal:online_draft", args=[draft.pk])
    response = client_in.post(url, form_post({"f_ngay_sinh": "30/02/2026", "next": "review"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "“Ngày sinh” phải là một ngày hợp lệ (ngày/tháng/năm)." in html
    assert "Vui lòng tải lên bản điện tử của “Tờ khai theo mẫu”." in html
    assert 'href="#f-ngay_sinh"' in html and 'aria-invalid="true"' in html
    # the review page sends an incomplete draft back
    review = client_in.get(reverse("portal:online_review", args=[draft.pk]))
    assert review.status_code == 302 and "kiem-tra=1" in review.url


def test_script_upload_endpoint(client_in, draft):
    url = reverse("portal:online_upload", args=[draft.pk, 1])
    ok = client_in.post(url, {"file": SimpleUploadedFile("a.pdf", make_pdf())})
    assert ok.status_code == 200 and ok.json()["file"]["original_name"] == "a.pdf"
    bad = client_in.post(url, {"file": SimpleUploadedFile("b.pdf", b"%PDF-1.4 broken")})
    assert bad.status_code == 400 and "PDF" in bad.json()["errors"][0]
    other = UserFactory(kind=User.Kind.CITIZEN)
    client_in.force_login(other)
    assert client_in.post(url, {"file": pdf_upload()}).status_code == 404


def test_full_flow_with_a_double_submit(client_in, draft, world, citizen):
    draft_url = reverse("portal:online_draft", args=[draft.pk])
    for order in (1, 2):
        client_in.post(
            reverse("portal:online_upload", args=[draft.pk, order]), {"file": pdf_upload()}
        )
    response = client_in.post(draft_url, form_post({"next": "review"}))
    assert response.url == reverse("portal:online_review", args=[draft.pk])
    review = client_in.get(response.url)
    html = review.content.decode()
    assert "Nguyễn Minh An" in html and "20/02/2026" in html and "Nam" in html
    token = review.context["form"].initial["token"]
    submit_url = reverse("portal:online_submit", args=[draft.pk])
    first = client_in.post(submit_url, {"token": token})
    second = client_in.post(submit_url, {"token": token})
    dossier = Dossier.objects.get()
    assert first.url == second.url == reverse("portal:online_dossier", args=[dossier.pk])
    assert dossier.state == State.WAITING_INTAKE
    page = client_in.get(first.url)
    assert "Chờ tiếp nhận" in page.content.decode()
    # the draft is closed
    assert client_in.get(draft_url).url == first.url


def test_stale_token_goes_back_to_review(client_in, draft):
    response = client_in.post(reverse("portal:online_submit", args=[draft.pk]), {"token": "nope"})
    assert response.url == reverse("portal:online_review", args=[draft.pk])
    assert Dossier.objects.count() == 0


@pytest.fixture
def accepted(draft, citizen, world):
    online.save_draft(draft, by=citizen, data=GOOD)
    online.add_file(draft, 1, pdf_upload(), by=citizen)
    online.add_file(draft, 2, pdf_upload(), by=citizen)
    draft.refresh_from_db()
    dossier = online.submit(draft, by=citizen, token=draft.token)
    return online.accept_online(dossier, by=world.desk)


def test_supplement_online(client_in, accepted, world):
    url = reverse("portal:online_supplement", args=[accepted.pk])
    assert client_in.get(url).status_code == 302  # not asked for yet
    services.request_supplement(accepted, "Bổ sung giấy chứng sinh", by=world.desk)
    page = client_in.get(reverse("portal:online_dossier", args=[accepted.pk]))
    assert "Bổ sung giấy chứng sinh" in page.content.decode()
    empty = client_in.post(url, {"note": "x"})
    assert empty.status_code == 400
    assert "Vui lòng tải lên ít nhất một giấy tờ bổ sung." in empty.content.decode()
    bad = client_in.post(url, {"files": [SimpleUploadedFile("x.pdf", b"not a pdf")]})
    assert bad.status_code == 400
    done = client_in.post(url, {"files": [pdf_upload("chung-sinh.pdf")], "note": "Đã bổ sung"})
    assert done.status_code == 302
    accepted.refresh_from_db()
    assert accepted.state == State.RECEIVED
    assert accepted.files.filter(purpose=DossierFile.Purpose.SUPPLEMENT).count() == 1


def test_return_method_by_post_needs_an_address(client_in, accepted):
    url = reverse("portal:online_return_method", args=[accepted.pk])
    assert client_in.get(url).status_code == 200
    bad = client_in.post(url, {"return_method": "post", "postal_address": ""})
    assert bad.status_code == 400
    assert "Vui lòng nhập đầy đủ địa chỉ nhận kết quả qua bưu chính" in bad.content.decode()
    ok = client_in.post(
        url, {"return_method": "post", "postal_address": "Số 5, thôn Đồng, xã Đỗ Thử"}
    )
    assert ok.status_code == 302
    accepted.refresh_from_db()
    assert accepted.return_method == "post" and accepted.postal_address.startswith("Số 5")


def test_someone_elses_dossier_is_not_found(client, accepted):
    client.force_login(UserFactory(kind=User.Kind.CITIZEN))
    for name in ("online_dossier", "online_supplement", "online_return_method", "online_result"):
        assert client.get(reverse(f"portal:{name}", args=[accepted.pk])).status_code == 404


def test_result_download(client_in, accepted, citizen):
    from django.core.files.storage import storages

    name = storages["default"].save("dossiers/results/kq.pdf", SimpleUploadedFile("kq", make_pdf()))
    DossierFile.objects.create(
        dossier=accepted,
        purpose=DossierFile.Purpose.RESULT,
        storage_name=name,
        original_name="ket-qua.pdf",
        size=1,
        sha256="0" * 64,
        kind="pdf",
    )
    url = reverse("portal:online_result", args=[accepted.pk])
    assert client_in.get(url).status_code == 404  # not ready yet
    Dossier.objects.filter(pk=accepted.pk).update(state=State.RESULT_READY, result_file=name)
    page = client_in.get(reverse("portal:online_dossier", args=[accepted.pk]))
    assert 'data-testid="download-result"' in page.content.decode()
    response = client_in.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")

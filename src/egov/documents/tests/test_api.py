"""The documents REST API: a full walk of an incoming and an outgoing document, bad input,
confidentiality (404 outside ``visible_to``), duplicates (409 ``duplicate``), keyset pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from egov.accounts.tests.factories import CitizenFactory
from egov.documents.models import IncomingDocument, InState

pytestmark = pytest.mark.django_db

IN = "/api/documents/incoming/"
OUT = "/api/documents/outgoing/"


def client_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def upload(pdf_bytes, name="cong-van.pdf"):
    return SimpleUploadedFile(name, pdf_bytes, content_type="application/pdf")


def incoming_form(world, pdf_bytes, **kw):
    yesterday = dt.date.today() - dt.timedelta(days=1)
    data = {
        "agency": world.district.pk,
        "source": "upload",
        "issuer_name": "UBND tỉnh Phú Thọ",
        "issuer_code": "000.00.00.H42",
        "number_symbol": "1234/UBND-KGVX",
        "issued_date": yesterday.isoformat(),
        "doc_type": "cong_van",
        "subject": "Về việc tăng cường phòng chống dịch bệnh mùa hè",
        "signer_name": "Nguyễn Văn Tỉnh",
        "main_file": upload(pdf_bytes),
    }
    data.update(kw)
    return data


def register(world, pdf_bytes, **kw):
    response = client_for(world.clerk).post(IN, incoming_form(world, pdf_bytes, **kw))
    assert response.status_code == 201, response.json()
    return response.json()


def test_incoming_walk(world, pdf_bytes):
    clerk, leader = client_for(world.clerk), client_for(world.leader)
    doc = register(world, pdf_bytes, attachments=[upload(pdf_bytes, "phu-luc.pdf")])
    assert doc["state"] == "registered"
    assert doc["arrival_number"] == 1
    assert doc["number_symbol"] == "1234/UBND-KGVX"
    assert [f["role"] for f in doc["files"]] == ["main", "attachment"]
    assert doc["timeline"][0]["action"] == "incoming.registered"

    # the file comes back as it went in
    got = clerk.get(f"{IN}{doc['id']}/files/{doc['files'][0]['id']}/")
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == pdf_bytes
    assert clerk.get(f"{IN}{doc['id']}/files/999999/").status_code == 404

    # search without diacritics, filters
    found = leader.get(IN, {"q": "phong chong dich", "state": "registered"}).json()
    assert [d["id"] for d in found["results"]] == [doc["id"]]
    assert found["next"] is None
    assert leader.get(IN, {"q": "khong co"}).json()["results"] == []

    # direction: lead VX (3 working days), coordinating TP
    url = f"{IN}{doc['id']}/"
    body = {
        "version": doc["version"],
        "lead": {"unit": world.vx.pk, "days": 3},
        "coordinating": [{"unit": world.tp.pk}],
        "opinion": "Phòng VX chủ trì tham mưu.",
    }
    directed = leader.post(url + "direct/", body, format="json")
    assert directed.status_code == 200, directed.json()
    d = directed.json()
    assert d["state"] == "in_process"
    assert [(a["unit"], a["role"]) for a in d["assignments"]] == [
        (world.vx.pk, "lead"),
        (world.tp.pk, "coordinate"),
    ]
    assert d["directions"][0]["opinion"] == "Phòng VX chủ trì tham mưu."
    lead_part = d["assignments"][0]["id"]

    # the same stale version again: conflict; closing now: not allowed
    again = leader.post(url + "direct/", body, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    closed = leader.post(url + "close/", {"version": d["version"]}, format="json")
    assert closed.status_code == 409
    assert closed.json()["error"]["code"] == "transition_not_allowed"

    # the unit head assigns, the specialist reports and completes
    head, spec = client_for(world.vx_head), client_for(world.vx_spec)
    r = head.post(
        url + "assign/",
        {"assignment": lead_part, "specialist": world.vx_spec.pk, "opinion": "Xử lý ngay."},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["assignments"][0]["assignee"] == world.vx_spec.pk
    r = spec.post(
        url + "progress/", {"assignment": lead_part, "note": "Đã dự thảo."}, format="json"
    )
    assert r.status_code == 200
    assert r.json()["assignments"][0]["progress"] == "Đã dự thảo."
    r = client_for(world.vx_other).post(
        url + "complete/", {"assignment": lead_part, "result": "x"}, format="json"
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    r = spec.post(
        url + "complete/", {"assignment": lead_part, "result": "Đã trả lời."}, format="json"
    )
    assert r.status_code == 200, r.json()
    done = r.json()
    assert done["state"] == "done"
    assert [e["action"] for e in done["timeline"]] == [
        "incoming.registered",
        "incoming.directed",
        "incoming.assigned",
        "incoming.progress",
        "incoming.completed_part",
    ]


def test_close_to_know(world, pdf_bytes):
    doc = register(world, pdf_bytes)
    r = client_for(world.leader).post(
        f"{IN}{doc['id']}/close/", {"version": doc["version"], "note": "Để biết."}, format="json"
    )
    assert r.status_code == 200
    assert r.json()["state"] == "done"


def test_outgoing_walk_with_internal_dispatch(world, pdf_bytes):
    spec, head, leader, clerk = (
        client_for(world.vx_spec),
        client_for(world.vx_head),
        client_for(world.leader),
        client_for(world.clerk),
    )
    created = spec.post(
        OUT,
        {
            "drafting_unit": world.vx.pk,
            "doc_type": "quyet_dinh",
            "subject": "Phê duyệt kế hoạch phòng chống lụt bão năm 2026",
            "body": "Căn cứ Luật Tổ chức chính quyền địa phương;",
            "signer_position": "Chủ tịch",
            "authority": "TM. ỦY BAN NHÂN DÂN",
            "recipients": [
                {"channel": "internal", "agency": world.commune.pk},
                {"channel": "paper", "name": "Công an huyện"},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    doc = created.json()
    assert doc["state"] == "draft"
    assert doc["agency"] == world.district.pk
    assert [r["channel"] for r in doc["recipients"]] == ["internal", "paper"]
    url = f"{OUT}{doc['id']}/"

    # update: a new draft file (multipart) and a new subject; recipients are kept
    r = spec.post(
        url + "update/",
        {
            "version": doc["version"],
            "subject": "Phê duyệt kế hoạch phòng chống thiên tai năm 2026",
            "new_version": upload(pdf_bytes, "du-thao-v1.pdf"),
        },
    )
    assert r.status_code == 200, r.json()
    doc = r.json()
    assert doc["subject"].endswith("thiên tai năm 2026")
    assert len(doc["recipients"]) == 2
    assert [(f["role"], f["file_version"]) for f in doc["files"]] == [("draft", 1)]

    def post(who, action, **body):
        response = who.post(url + action, {"version": doc["version"], **body}, format="json")
        assert response.status_code == 200, response.json()
        return response.json()

    doc = post(spec, "send-for-review/")
    assert doc["state"] == "unit_review"
    bad = head.post(url + "return/", {"version": doc["version"]}, format="json")
    assert bad.status_code == 400
    assert "comments" in bad.json()["error"]["fields"]
    doc = post(head, "return/", comments="Sửa căn cứ.")
    assert doc["state"] == "returned"
    doc = post(spec, "send-for-review/")
    doc = post(head, "approve-review/")
    assert doc["state"] == "leader_review"
    early = clerk.post(url + "issue/", {"version": doc["version"]}, format="json")
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "transition_not_allowed"
    doc = post(leader, "approve-and-sign/")
    assert doc["state"] == "approved"
    assert doc["signer"] == world.leader.pk
    doc = post(clerk, "issue/")
    assert doc["state"] == "issued"
    assert doc["number_symbol"] == "01/QĐ-UBND"
    assert {r["channel"]: r["state"] for r in doc["recipients"]} == {
        "internal": "sent",
        "paper": "paper",
    }

    # the commune's clerk finds it waiting and registers it
    commune = client_for(world.commune_clerk)
    waiting = commune.get(IN, {"state": "pending"}).json()["results"]
    assert [w["number_symbol"] for w in waiting] == ["01/QĐ-UBND"]
    copy = waiting[0]
    r = commune.post(f"{IN}{copy['id']}/register/", {"version": copy["version"]}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["arrival_number"] == 1

    # paper copy sent, dispatch again (nothing left), correction, recall
    paper = next(x for x in doc["recipients"] if x["channel"] == "paper")
    r = clerk.post(url + "paper-sent/", {"recipient": paper["id"]}, format="json")
    assert r.status_code == 200
    assert r.json()["recipients"][1]["state"] == "sent"
    r = clerk.post(url + "dispatch/", format="json")
    assert r.status_code == 200
    doc = r.json()
    doc = post(leader, "correct/", note="Sửa ngày hiệu lực.")
    assert doc["amendments"][0]["kind"] == "correction"
    doc = post(leader, "recall/", reason="Ban hành sai thẩm quyền.")
    assert doc["state"] == "recalled"
    assert IncomingDocument.objects.get(pk=copy["id"]).state == InState.CANCELLED

    # the outgoing list with filters
    listed = leader.get(OUT, {"state": "recalled", "q": "thien tai"}).json()["results"]
    assert [x["id"] for x in listed] == [doc["id"]]


def test_bad_input(world, pdf_bytes):
    clerk = client_for(world.clerk)
    r = clerk.post(IN, {"agency": world.district.pk})
    assert r.status_code == 400
    fields = r.json()["error"]["fields"]
    assert r.json()["error"]["code"] == "invalid"
    assert {"issuer_name", "number_symbol", "issued_date", "subject", "main_file"} <= set(fields)

    # the service's checks come back on their fields
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = clerk.post(
        IN, incoming_form(world, pdf_bytes, number_symbol="abc", issued_date=future, doc_type="x")
    )
    assert r.status_code == 400
    assert {"number_symbol", "issued_date", "doc_type"} <= set(r.json()["error"]["fields"])

    # a file that is not what it says
    fake = SimpleUploadedFile("x.pdf", b"MZ not a pdf", content_type="application/pdf")
    r = clerk.post(IN, incoming_form(world, pdf_bytes, main_file=fake))
    assert r.status_code == 400

    # only the clerk registers
    r = client_for(world.district_spec).post(IN, incoming_form(world, pdf_bytes))
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"

    # filters
    assert clerk.get(IN, {"date_from": "01/03/2026"}).status_code == 400
    assert clerk.get(IN, {"state": "nope"}).json()["error"]["fields"]["state"]
    assert clerk.get(OUT, {"page_size": "0"}).status_code == 400

    # nested recipients and JSON-encoded recipients
    spec = client_for(world.vx_spec)
    r = spec.post(
        OUT,
        {
            "drafting_unit": world.vx.pk,
            "doc_type": "cong_van",
            "subject": "Về việc x",
            "recipients": [{"channel": "pigeon"}],
        },
        format="json",
    )
    assert r.status_code == 400
    assert "recipients" in r.json()["error"]["fields"]
    r = spec.post(
        OUT,
        {
            "drafting_unit": world.vx.pk,
            "doc_type": "cong_van",
            "subject": "Về việc x",
            "recipients": '[{"channel": "email", "email": "so@example.vn"}]',
            "files": [upload(pdf_bytes, "du-thao.pdf")],
        },
    )
    assert r.status_code == 201, r.json()
    assert r.json()["recipients"][0]["email"] == "so@example.vn"

    # officers only
    assert client_for(CitizenFactory()).get(IN).status_code == 403
    assert APIClient().get(IN).status_code in (401, 403)


def test_confidential_documents_answer_404(world, pdf_bytes):
    secret = register(world, pdf_bytes, secrecy=1, number_symbol="05/CV-CA")
    normal = register(world, pdf_bytes, number_symbol="06/CV-CA")
    url = f"{IN}{secret['id']}/"
    assert client_for(world.leader).get(url).status_code == 200
    assert client_for(world.clerk).get(url).status_code == 200  # registered it
    for outsider in (world.clerk2, world.district_spec, world.tp_spec):
        c = client_for(outsider)
        assert c.get(url).status_code == 404
        r = c.post(url + "close/", {"version": 1}, format="json")
        assert r.status_code == 404
        assert c.get(f"{url}files/{secret['files'][0]['id']}/").status_code == 404
    listed = client_for(world.clerk2).get(IN).json()["results"]
    assert [d["id"] for d in listed] == [normal["id"]]
    # another agency's officers see neither
    assert client_for(world.commune_clerk).get(f"{IN}{normal['id']}/").status_code == 404


def test_duplicate_gives_409_with_the_existing_document(world, pdf_bytes):
    first = register(world, pdf_bytes)
    clerk = client_for(world.clerk)
    r = clerk.post(IN, incoming_form(world, pdf_bytes, number_symbol="1234/ubnd-kgvx"))
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "duplicate"
    assert error["existing"]["id"] == first["id"]
    assert error["existing"]["arrival_number"] == 1
    assert "đã có trong sổ" in error["message"]
    assert IncomingDocument.objects.count() == 1
    r = clerk.post(IN, incoming_form(world, pdf_bytes, confirm_duplicate="true"))
    assert r.status_code == 201
    assert r.json()["arrival_number"] == 2


def test_keyset_pages(world, pdf_bytes):
    ids = [register(world, pdf_bytes, number_symbol=f"{n}/TB-UBND")["id"] for n in (1, 2, 3)]
    c = client_for(world.leader)
    seen, url = [], IN + "?page_size=2"
    while url:
        page = c.get(url).json()
        seen += [d["id"] for d in page["results"]]
        url = page["next"]
    assert seen == sorted(ids, reverse=True)

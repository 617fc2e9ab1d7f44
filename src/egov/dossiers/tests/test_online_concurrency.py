# ruff: noqa: F811 - pytest fixtures imported from test_online
"""A double click on "Nộp hồ sơ" from two requests at once makes one dossier (PostgreSQL only:
two real transactions; the draft row lock and the unique submission token decide)."""

from __future__ import annotations

import pytest

from egov.dossiers import online
from egov.dossiers.models import Dossier, DossierFile, State

from .test_concurrency import run_threads
from .test_online import GOOD, citizen, draft, pdf_upload, version  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submits_at_once_make_one_dossier(world, draft, citizen, on_postgres):
    online.save_draft(draft, by=citizen, data=GOOD)
    online.add_file(draft, 1, pdf_upload(), by=citizen)
    online.add_file(draft, 2, pdf_upload(), by=citizen)
    draft.refresh_from_db()
    results: list[int] = []

    def submit(i):
        results.append(online.submit(draft, by=citizen, token=draft.token).pk)

    assert run_threads(6, submit) == []
    assert Dossier.objects.count() == 1
    assert set(results) == {Dossier.objects.get().pk}
    assert DossierFile.objects.count() == 2
    assert Dossier.objects.get().state == State.WAITING_INTAKE


def test_two_officers_accept_at_once_one_code(world, draft, citizen, on_postgres):
    online.save_draft(draft, by=citizen, data=GOOD)
    online.add_file(draft, 1, pdf_upload(), by=citizen)
    online.add_file(draft, 2, pdf_upload(), by=citizen)
    draft.refresh_from_db()
    dossier = online.submit(draft, by=citizen, token=draft.token)
    seen = dossier.version
    outcomes: list[str] = []

    def accept(i):
        try:
            online.accept_online(dossier, by=world.desk, expected_version=seen)
            outcomes.append("ok")
        except Exception as exc:  # ConflictError for the loser
            outcomes.append(type(exc).__name__)

    assert run_threads(2, accept) == []
    assert sorted(outcomes) == ["ConflictError", "ok"]
    dossier.refresh_from_db()
    assert dossier.code.endswith("-0001")

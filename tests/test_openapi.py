"""The committed OpenAPI document matches the code, so API changes show up in review."""

from pathlib import Path

from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


def test_openapi_document_is_up_to_date(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    assert generated.read_text() == COMMITTED.read_text(), (
        "API changed: run `make openapi` and commit docs/openapi.yaml"
    )


def test_schema_and_docs_are_served(client, django_user_model):
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page and "cdn" not in page.lower()

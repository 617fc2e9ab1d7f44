"""Changes to the procedure catalog: the only code that writes procedures and their versions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import audit
from egov.core.text import fold
from egov.procedures.models import (
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    RequiredPaper,
)

VERSION_FIELDS = (
    "name",
    "level",
    "online_level",
    "processing_time",
    "time_unit",
    "cutoff_time",
    "legal_basis",
    "result_type",
    "applicant_kinds",
    "form_schema",
    "note",
)


def get_or_create_field(code: str, name: str) -> Field:
    field, created = Field.objects.get_or_create(code=code, defaults={"name": name})
    if not created and field.name != name and name:
        field.name = name
        field.save()
    return field


def refresh_summary(procedure: Procedure, today: dt.date | None = None) -> None:
    """Copy name, field and online level of the version in force today onto the procedure."""
    version = (
        procedure.version_on(today or timezone.localdate())
        or procedure.versions.order_by("-effective_from").first()
    )
    if version is None:
        return
    procedure.name = version.name
    procedure.field_id = version.field_id
    procedure.online_level = version.online_level
    procedure.level = version.level
    procedure.search_text = fold(f"{procedure.national_code} {version.name} {version.field.name}")
    Procedure.objects.filter(pk=procedure.pk).update(
        name=procedure.name,
        field_id=procedure.field_id,
        online_level=procedure.online_level,
        level=procedure.level,
        search_text=procedure.search_text,
    )


def _validate_steps(version_data: dict, steps: list[dict]) -> None:
    if not steps:
        raise ValidationError(_("Quy trình nội bộ phải có ít nhất một bước."))
    total = sum((s["duration"] for s in steps), start=type(version_data["processing_time"])(0))
    if total > version_data["processing_time"]:
        raise ValidationError(
            _("Tổng thời gian các bước (%(total)s) vượt thời hạn giải quyết (%(limit)s).")
            % {"total": total, "limit": version_data["processing_time"]}
        )


@transaction.atomic
def save_version(
    national_code: str,
    *,
    field: Field,
    effective_from: dt.date,
    papers: Iterable[dict] = (),
    fees: Iterable[dict] = (),
    steps: Iterable[dict] = (),
    by=None,
    **version_data,
) -> ProcedureVersion:
    """Create a procedure (if new) and a version from ``effective_from``; the previous open
    version ends the day before. Re-saving the same start date replaces that version's content
    (only while no dossier uses it)."""
    steps, papers, fees = list(steps), list(papers), list(fees)
    _validate_steps(version_data, steps)
    procedure = Procedure.objects.select_for_update().filter(national_code=national_code).first()
    if procedure is None:
        procedure = Procedure(
            national_code=national_code,
            name=version_data["name"],
            field=field,
            level=version_data["level"],
        )
        procedure.full_clean()
        procedure.save()
        audit.record("procedure.created", actor=by, obj=procedure, data={"code": national_code})
    existing = procedure.versions.filter(effective_from=effective_from).first()
    if existing is not None:
        if _version_in_use(existing):
            raise ValidationError(
                _(
                    "Phiên bản này đã có hồ sơ sử dụng; hãy tạo phiên bản mới với ngày hiệu lực khác."
                )
            )
        version = existing
        for name in VERSION_FIELDS:
            if name in version_data:
                setattr(version, name, version_data[name])
        version.field = field
        version.papers.all().delete()
        version.fees.all().delete()
        version.steps.all().delete()
    else:
        later = (
            procedure.versions.filter(effective_from__gt=effective_from)
            .order_by("effective_from")
            .first()
        )
        procedure.versions.filter(effective_from__lt=effective_from).filter(
            effective_to__isnull=True
        ).update(effective_to=effective_from - dt.timedelta(days=1))
        version = ProcedureVersion(
            procedure=procedure, field=field, effective_from=effective_from, **version_data
        )
        if later is not None:
            version.effective_to = later.effective_from - dt.timedelta(days=1)
    version.full_clean(exclude=["procedure"])
    version.save()
    RequiredPaper.objects.bulk_create(
        [RequiredPaper(version=version, order=i, **p) for i, p in enumerate(papers, 1)]
    )
    Fee.objects.bulk_create([Fee(version=version, **f) for f in fees])
    ProcessStep.objects.bulk_create(
        [ProcessStep(version=version, order=i, **s) for i, s in enumerate(steps, 1)]
    )
    refresh_summary(procedure)
    audit.record(
        "procedure.version_saved",
        actor=by,
        obj=procedure,
        data={
            "code": national_code,
            "effective_from": effective_from.isoformat(),
            "replaced": existing is not None,
        },
    )
    return version


def _version_in_use(version: ProcedureVersion) -> bool:
    from django.apps import apps

    if not apps.is_installed("egov.dossiers"):
        return False
    Dossier = apps.get_model("dossiers", "Dossier")
    return Dossier.objects.filter(procedure_version=version).exists()


@transaction.atomic
def set_active(procedure: Procedure, active: bool, *, by=None) -> None:
    Procedure.objects.filter(pk=procedure.pk).update(is_active=active)
    audit.record(
        "procedure.activated" if active else "procedure.deactivated", actor=by, obj=procedure
    )

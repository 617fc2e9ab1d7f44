"""Background work of the catalog: the import of an uploaded Excel/CSV file.

``run_import(job_id)`` is enqueued by :func:`egov.procedures.importexport.start_import` through
``egov.core.tasks.enqueue``. It reads the file, then saves the rows one by one (each in its own
transaction, through ``services.save_version``), writing how far it got onto the
:class:`~egov.procedures.models.ImportJob` after each row so the page can draw a progress bar.
If the worker dies half-way, the retry continues after the last processed row.
"""

from __future__ import annotations

import io
import logging

from django.core.files.storage import storages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from egov.core import audit
from egov.procedures.importexport import FileError, import_rows, read_table
from egov.procedures.models import ImportJob

log = logging.getLogger(__name__)


def run_import(job_id: int) -> None:
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    # Messages are stored in the job, so they are written in the UI's default language.
    with override("vi"):
        _run(job)


def _finish(job: ImportJob, state: str, report: str, **fields) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        state=state, report=report, finished_at=timezone.now(), **fields
    )
    audit.record(
        "procedure.import_finished",
        actor=job.created_by,
        obj=job,
        data={
            "file": job.original_name,
            "state": state,
            "rows": fields.get("total_rows", job.total_rows),
            "saved": fields.get("saved_rows", job.saved_rows),
            "errors": len(fields.get("errors", job.errors)),
        },
    )


def _run(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING)
    try:
        with storages["default"].open(job.file.name, "rb") as fh:
            data = io.BytesIO(fh.read())
        _mapping, rows = read_table(data, job.file_kind)
    except FileError as exc:
        errors = [{"row": 0, "column": "", "message": exc.message}]
        _finish(job, ImportJob.State.FAILED, exc.message, errors=errors)
        return
    except OSError as exc:
        message = _("Không mở được tệp đã tải lên (%(error)s); hãy tải lên lại.") % {
            "error": type(exc).__name__
        }
        log.warning("procedure_import_file_missing", extra={"job": job.pk, "error": str(exc)})
        errors = [{"row": 0, "column": "", "message": message}]
        _finish(job, ImportJob.State.FAILED, message, errors=errors)
        return

    start = min(job.processed_rows, len(rows))
    errors = list(job.errors)
    saved_before = job.saved_rows
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows))

    def progress(done: int, saved: int, new_errors) -> None:
        fields = {"processed_rows": done, "saved_rows": saved_before + saved}
        if new_errors:
            errors.extend(e.as_dict() for e in new_errors)
            fields["errors"] = errors
        ImportJob.objects.filter(pk=job.pk).update(**fields)

    result = import_rows(rows, by=job.created_by, start=start, progress=progress)
    saved = saved_before + result.saved
    failed = len({e["row"] for e in errors})
    report = _("Đã xử lý %(total)d dòng: lưu %(saved)d, lỗi %(failed)d.") % {
        "total": len(rows),
        "saved": saved,
        "failed": failed,
    }
    log.info("procedure_import_done", extra={"job": job.pk, "saved": saved, "failed": failed})
    _finish(
        job,
        ImportJob.State.DONE,
        report,
        total_rows=len(rows),
        processed_rows=len(rows),
        saved_rows=saved,
        errors=errors,
    )

"""Online submission (nộp hồ sơ trực tuyến) for procedures that are partly or fully online.

A citizen fills a **draft** (``OnlineDraft``): the procedure's own form, generated from the JSON
Schema kept on the procedure version (``ProcedureVersion.form_schema``), the applicant (from
the citizen's profile), the scans of the required papers and the way the result is returned.
The draft is saved as typed, valid or not, and resumed at will; an upload that is refused
(wrong type, too large, malformed PDF) changes nothing else. :func:`submit` checks everything
and creates the dossier **waiting for intake** (``State.WAITING_INTAKE``, no code, no
deadline); it is idempotent on the draft's token, enforced by a unique column on the dossier.

The one-stop officer then accepts it (:func:`accept_online`: code, PIN and due date from the
moment of acceptance, exactly like a counter receipt), refuses it with a reason
(:func:`refuse_online`, form 03) or, once accepted, asks for a supplement with the ordinary
``services.request_supplement``; the citizen supplements online (:func:`supplement_online`)
and the clock resumes. The citizen may change how the result is returned
(:func:`choose_return_method`) until it is returned.

Every function here follows the rules of ``dossiers.services``: locked rows, one transaction,
an audit event, Vietnamese ``ValidationError`` messages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from egov.accounts.models import Role
from egov.core.files import StoredFile, store_upload
from egov.dossiers import services
from egov.dossiers.models import (
    Channel,
    Dossier,
    DossierFile,
    OnlineDraft,
    ReturnMethod,
    State,
)
from egov.dossiers.regulations import regulation_on
from egov.organizations.models import Agency
from egov.procedures.models import OnlineLevel, ProcedureVersion

#: the kinds of file accepted for the scans of papers (as at the counter)
UPLOAD_KINDS = ("pdf", "png", "jpeg", "tiff")
UPLOAD_FOLDER = "dossiers/online"
MAX_FILES_PER_PAPER = 10
#: a value typed in a draft is cut at this length (the schema's maxLength says what is valid)
MAX_RAW_LENGTH = 5000
#: the states in which the citizen may still change how the result is returned
RETURN_CHANGE_STATES = (
    State.WAITING_INTAKE,
    State.RECEIVED,
    State.IN_PROCESS,
    State.SUPPLEMENT,
    State.RESULT_READY,
)
APPLICANT_KEYS = ("name", "id_number", "phone", "email", "address")

#: The form of a procedure without its own schema: what the citizen asks for.
DEFAULT_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "noi_dung": {
            "type": "string",
            "title": "Nội dung yêu cầu giải quyết",
            "description": "Trình bày ngắn gọn yêu cầu của ông/bà.",
            "maxLength": 2000,
        }
    },
    "required": ["noi_dung"],
}


# --- the form from the JSON Schema -------------------------------------------------------------


@dataclass
class FieldSpec:
    """One property of the schema, as the form shows it."""

    name: str
    label: str
    type: str = "string"  # string | integer | number | boolean
    format: str = ""  # date | email | "" (textarea when maxLength > 200)
    required: bool = False
    description: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    max_length: int | None = None
    min_length: int | None = None
    pattern: str = ""
    pattern_message: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    @property
    def widget(self) -> str:
        if self.choices:
            return "select"
        if self.type == "boolean":
            return "checkbox"
        if self.type in ("integer", "number"):
            return "number"
        if self.format == "date":
            return "date"
        if self.format == "email":
            return "email"
        if self.max_length is not None and self.max_length > 200:
            return "textarea"
        return "text"


def schema_of(version: ProcedureVersion) -> dict:
    schema = version.form_schema
    if (
        isinstance(schema, dict)
        and isinstance(schema.get("properties"), dict)
        and schema["properties"]
    ):
        return schema
    return DEFAULT_SCHEMA


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def fields_of(schema: dict) -> list[FieldSpec]:
    """The fields of the supported subset of JSON Schema: an object whose properties are of type
    string (formats date, email), integer, number or boolean, with title, description,
    required, enum (labels from ``enumNames`` or a ``oneOf`` of ``const``/``title``),
    maxLength, minLength, pattern (message from ``x-message``), minimum, maximum. Properties of
    another type are shown as text. The order is that of ``properties``."""
    required = set(schema.get("required") or [])
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        kind = prop.get("type", "string")
        if isinstance(kind, list):  # ["string", "null"]
            kind = next((k for k in kind if k != "null"), "string")
        if kind not in ("string", "integer", "number", "boolean"):
            kind = "string"
        choices: list[tuple[str, str]] = []
        if isinstance(prop.get("enum"), list):
            labels = prop.get("enumNames") or []
            for i, value in enumerate(prop["enum"]):
                label = labels[i] if i < len(labels) else value
                choices.append((str(value), str(label)))
        elif isinstance(prop.get("oneOf"), list):
            choices.extend(
                (str(option["const"]), str(option.get("title", option["const"])))
                for option in prop["oneOf"]
                if isinstance(option, dict) and "const" in option
            )
        out.append(
            FieldSpec(
                name=str(name),
                label=str(prop.get("title") or name),
                type=kind,
                format=str(prop.get("format") or ""),
                required=name in required,
                description=str(prop.get("description") or ""),
                choices=choices,
                max_length=prop.get("maxLength")
                if isinstance(prop.get("maxLength"), int)
                else None,
                min_length=prop.get("minLength")
                if isinstance(prop.get("minLength"), int)
                else None,
                pattern=str(prop.get("pattern") or ""),
                pattern_message=str(prop.get("x-message") or ""),
                minimum=_number(prop.get("minimum")),
                maximum=_number(prop.get("maximum")),
            )
        )
    return out


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def clean_value(spec: FieldSpec, raw):
    """A typed value from what was typed (a string from a form, or a JSON value); raises
    ``ValidationError`` with a Vietnamese message naming the field. Empty → ``None``."""
    label = spec.label
    if spec.type == "boolean":
        value = raw is True or str(raw).strip().lower() in ("on", "true", "1", "yes", "co", "có")
        if spec.required and not value:
            raise ValidationError(
                _("Vui lòng đánh dấu xác nhận “%(label)s”.") % {"label": label}, code="required"
            )
        return value
    text = "" if raw is None else str(raw).strip()
    if text == "":
        if spec.required:
            raise ValidationError(
                _("Vui lòng nhập “%(label)s”.")
                if not spec.choices
                else _("Vui lòng chọn “%(label)s”."),
                code="required",
                params={"label": label},
            )
        return None
    if spec.choices:
        if text not in {value for value, _label in spec.choices}:
            raise ValidationError(
                _("“%(label)s”: vui lòng chọn một giá trị trong danh sách.") % {"label": label},
                code="enum",
            )
        if spec.type == "integer":
            return int(text)
        if spec.type == "number":
            return float(text)
        return text
    if spec.type in ("integer", "number"):
        number = _number(text.replace(" ", "").replace(",", "."))
        if number is None or not number.is_finite():
            raise ValidationError(
                _("“%(label)s” phải là một số.") % {"label": label}, code="number"
            )
        if spec.type == "integer" and number != number.to_integral_value():
            raise ValidationError(
                _("“%(label)s” phải là số nguyên.") % {"label": label}, code="integer"
            )
        if spec.minimum is not None and number < spec.minimum:
            raise ValidationError(
                _("“%(label)s” không được nhỏ hơn %(min)s.")
                % {"label": label, "min": _plain(spec.minimum)},
                code="minimum",
            )
        if spec.maximum is not None and number > spec.maximum:
            raise ValidationError(
                _("“%(label)s” không được lớn hơn %(max)s.")
                % {"label": label, "max": _plain(spec.maximum)},
                code="maximum",
            )
        return int(number) if spec.type == "integer" else float(number)
    if spec.format == "date":
        day = _parse_date(text)
        if day is None:
            raise ValidationError(
                _("“%(label)s” phải là một ngày hợp lệ (ngày/tháng/năm).") % {"label": label},
                code="date",
            )
        return day.isoformat()
    if spec.max_length is not None and len(text) > spec.max_length:
        raise ValidationError(
            _("“%(label)s” dài tối đa %(max)s ký tự (đang có %(count)s ký tự).")
            % {"label": label, "max": spec.max_length, "count": len(text)},
            code="max_length",
        )
    if spec.min_length is not None and len(text) < spec.min_length:
        raise ValidationError(
            _("“%(label)s” phải có ít nhất %(min)s ký tự.")
            % {"label": label, "min": spec.min_length},
            code="min_length",
        )
    if spec.format == "email":
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(
                _("“%(label)s”: địa chỉ thư điện tử không hợp lệ.") % {"label": label},
                code="email",
            ) from None
    if spec.pattern:
        try:
            matched = re.search(spec.pattern, text) is not None
        except re.error:
            matched = True  # a broken pattern in the catalog must not block citizens
        if not matched:
            raise ValidationError(
                spec.pattern_message
                or _("“%(label)s” không đúng định dạng yêu cầu.") % {"label": label},
                code="pattern",
            )
    return text


def validate_data(schema: dict, raw: dict) -> tuple[dict, dict[str, list[str]]]:
    """Check the values of a form against the schema: ``(typed values, errors by field)``."""
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}
    for spec in fields_of(schema):
        try:
            value = clean_value(spec, (raw or {}).get(spec.name))
        except ValidationError as exc:
            errors[spec.name] = exc.messages
        else:
            if value is not None:
                cleaned[spec.name] = value
    return cleaned, errors


def display_value(spec: FieldSpec, value) -> str:
    """A value as the review page and the officer's page show it."""
    if value in (None, ""):
        return ""
    if spec.type == "boolean":
        return _("Có") if value is True or value in ("on", "true", "1") else _("Không")
    if spec.choices:
        return dict(spec.choices).get(str(value), str(value))
    if spec.format == "date":
        day = _parse_date(str(value))
        return day.strftime("%d/%m/%Y") if day else str(value)
    return str(value)


def declared(draft: OnlineDraft) -> list[tuple[str, str]]:
    """(label, value) of every field the citizen filled in."""
    rows = []
    for spec in fields_of(schema_of(draft.procedure_version)):
        text = display_value(spec, (draft.data or {}).get(spec.name))
        if text:
            rows.append((spec.label, text))
    return rows


# --- where to submit -----------------------------------------------------------------------


def is_online(version: ProcedureVersion) -> bool:
    return version.online_level in (OnlineLevel.PARTIAL, OnlineLevel.FULL)


def governments_for(version: ProcedureVersion) -> QuerySet[Agency]:
    """The governments that decide the procedure: those of its level, active today."""
    if version.level == "commune":
        kinds = [
            Agency.Kind.COMMUNE,
            Agency.Kind.WARD,
            Agency.Kind.TOWN,
            Agency.Kind.SPECIAL_ZONE,
        ]
    else:
        kinds = [version.level]
    return Agency.objects.active().filter(kind__in=kinds).order_by("path")


def _own(draft: OnlineDraft, by) -> None:
    if by is None or draft.citizen_id != by.pk:
        raise ValidationError(_("Hồ sơ này không phải của bạn."), code="forbidden")


def _open_draft(draft: OnlineDraft) -> None:
    if draft.dossier_id is not None:
        raise ValidationError(
            _("Hồ sơ đã được nộp; không thể sửa bản nháp nữa."), code="already_submitted"
        )


def _check_procedure(version: ProcedureVersion) -> None:
    if not is_online(version):
        raise ValidationError(
            _("Thủ tục này chưa được cung cấp trực tuyến; vui lòng nộp tại bộ phận một cửa."),
            code="not_online",
        )
    if not version.procedure.is_active:
        raise ValidationError(_("Thủ tục này đã ngừng áp dụng."), code="procedure_inactive")


def start_draft(citizen, version: ProcedureVersion, government: Agency) -> OnlineDraft:
    """Create the citizen's draft for the procedure at ``government`` (its one-stop unit
    receives it), or return the draft not yet submitted that they already have there."""
    if citizen is None or not getattr(citizen, "is_citizen", False):
        raise ValidationError(
            _("Chỉ tài khoản người dân, doanh nghiệp mới nộp hồ sơ trực tuyến."), code="forbidden"
        )
    _check_procedure(version)
    if not governments_for(version).filter(pk=government.pk).exists():
        raise ValidationError(
            {"agency": [_("Cơ quan đã chọn không giải quyết thủ tục này.")]}, code="wrong_level"
        )
    intake_agency = services.onestop_unit_of(government)
    existing = OnlineDraft.objects.filter(
        citizen=citizen,
        procedure_version=version,
        intake_agency=intake_agency,
        dossier__isnull=True,
    ).first()
    if existing is not None:
        return existing
    return OnlineDraft.objects.create(
        citizen=citizen,
        procedure_version=version,
        intake_agency=intake_agency,
        applicant={
            "name": citizen.get_full_name(),
            "id_number": citizen.citizen_id or "",
            "phone": citizen.phone or "",
            "email": citizen.email or "",
            "address": citizen.address or "",
        },
        return_method=ReturnMethod.ONLINE,
    )


def _locked_draft(draft: OnlineDraft | int) -> OnlineDraft:
    pk = draft.pk if isinstance(draft, OnlineDraft) else draft
    return (
        OnlineDraft.objects.select_for_update()
        .select_related("procedure_version", "procedure_version__procedure", "intake_agency")
        .get(pk=pk)
    )


def _cut(value) -> str:
    return ("" if value is None else str(value)).strip()[:MAX_RAW_LENGTH]


@transaction.atomic
def save_draft(
    draft: OnlineDraft,
    *,
    by,
    data: dict | None = None,
    applicant: dict | None = None,
    return_method: str | None = None,
    postal_address: str | None = None,
) -> OnlineDraft:
    """Keep what the citizen typed, valid or not (it is checked at review and submission).
    Only the schema's fields and the applicant's keys are kept."""
    draft = _locked_draft(draft)
    _own(draft, by)
    _open_draft(draft)
    if data is not None:
        names = [spec.name for spec in fields_of(schema_of(draft.procedure_version))]
        kept = {}
        for name in names:
            if name in data:
                value = data[name]
                kept[name] = value if isinstance(value, bool) else _cut(value)
        draft.data = kept
    if applicant is not None:
        draft.applicant = {key: _cut(applicant.get(key)) for key in APPLICANT_KEYS}
    if return_method in ReturnMethod.values:
        draft.return_method = return_method
    if postal_address is not None:
        draft.postal_address = _cut(postal_address)[:500]
    draft.save()
    return draft


def _stored_dict(stored: StoredFile) -> dict:
    return {
        "name": stored.name,
        "size": stored.size,
        "sha256": stored.sha256,
        "kind": stored.kind,
        "original_name": stored.original_name,
        "page_count": stored.page_count,
    }


def _paper_orders(version: ProcedureVersion) -> dict[int, object]:
    return {p.order: p for p in version.papers.all()}


def add_file(draft: OnlineDraft, paper_order: int, upload, *, by) -> dict:
    """Check and keep the scan of one paper. A refused file (type, size, PDF structure) raises
    ``ValidationError`` and leaves the draft as it was. Returns the stored file's entry."""
    draft = OnlineDraft.objects.select_related("procedure_version").get(pk=draft.pk)
    _own(draft, by)
    _open_draft(draft)
    if int(paper_order) not in _paper_orders(draft.procedure_version):
        raise ValidationError(_("Thành phần hồ sơ không tồn tại."), code="no_paper")
    # Checked and written outside the row lock (a large file takes time); attached under it.
    stored = store_upload(upload, folder=UPLOAD_FOLDER, allowed=UPLOAD_KINDS)
    try:
        with transaction.atomic():
            locked = _locked_draft(draft)
            _open_draft(locked)
            key = str(int(paper_order))
            current = list((locked.files or {}).get(key, []))
            if len(current) >= MAX_FILES_PER_PAPER:
                raise ValidationError(
                    _("Mỗi thành phần hồ sơ có tối đa %(n)s tệp.") % {"n": MAX_FILES_PER_PAPER},
                    code="too_many_files",
                )
            entry = _stored_dict(stored)
            locked.files = {**(locked.files or {}), key: [*current, entry]}
            locked.save(update_fields=["files", "updated_at"])
    except BaseException:
        storages["default"].delete(stored.name)
        raise
    return entry


@transaction.atomic
def remove_file(draft: OnlineDraft, paper_order: int, storage_name: str, *, by) -> None:
    draft = _locked_draft(draft)
    _own(draft, by)
    _open_draft(draft)
    key = str(int(paper_order))
    current = list((draft.files or {}).get(key, []))
    kept = [f for f in current if f.get("name") != storage_name]
    if len(kept) == len(current):
        return
    files = {**(draft.files or {}), key: kept}
    if not kept:
        files.pop(key)
    draft.files = files
    draft.save(update_fields=["files", "updated_at"])
    transaction.on_commit(lambda: storages["default"].delete(storage_name))


def _applicant(draft: OnlineDraft) -> services.Applicant:
    a = draft.applicant or {}
    return services.Applicant(
        name=a.get("name", ""),
        id_number=(a.get("id_number") or "").replace(" ", ""),
        phone=a.get("phone", ""),
        email=a.get("email", ""),
        address=a.get("address", ""),
    )


def check_draft(draft: OnlineDraft) -> tuple[dict, services.Applicant, dict[str, list[str]]]:
    """Everything the submission needs: ``(typed form values, applicant, errors)``. Error keys:
    the schema's field names, ``applicant_<key>``, ``paper_<order>``, ``return_method``,
    ``postal_address``."""
    version = draft.procedure_version
    cleaned, errors = validate_data(schema_of(version), draft.data or {})
    applicant = _applicant(draft)
    try:
        applicant.clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if not applicant.address:
        errors.setdefault("applicant_address", []).append(_("Vui lòng nhập địa chỉ liên hệ."))
    for order, paper in _paper_orders(version).items():
        if paper.required and not (draft.files or {}).get(str(order)):
            errors.setdefault(f"paper_{order}", []).append(
                _("Vui lòng tải lên bản điện tử của “%(name)s”.") % {"name": paper.name}
            )
    errors.update(_return_errors(draft.return_method, draft.postal_address))
    return cleaned, applicant, errors


def _return_errors(method: str, address: str) -> dict[str, list[str]]:
    if method not in ReturnMethod.values:
        return {"return_method": [_("Vui lòng chọn hình thức nhận kết quả.")]}
    if method == ReturnMethod.POST and len(" ".join((address or "").split())) < 10:
        return {
            "postal_address": [
                _(
                    "Vui lòng nhập đầy đủ địa chỉ nhận kết quả qua bưu chính "
                    "(số nhà, thôn/xóm, xã/phường, tỉnh/thành phố)."
                )
            ]
        }
    return {}


# --- submission ------------------------------------------------------------------------------


@transaction.atomic
def submit(draft: OnlineDraft, *, by, token) -> Dossier:
    """Nộp hồ sơ: the dossier enters the one-stop shop waiting for intake (no code, no
    deadline yet), with the papers and their scans, linked to the citizen. Idempotent on the
    draft's token: a double click or a resubmitted form returns the same dossier (the draft row
    is locked, and ``Dossier.submission_token`` is unique should two requests get past it)."""
    draft = _locked_draft(draft)
    _own(draft, by)
    if str(token) != str(draft.token):
        raise ValidationError(
            _("Biểu mẫu nộp hồ sơ đã cũ; vui lòng tải lại trang xem lại hồ sơ rồi nộp."),
            code="bad_token",
        )
    if draft.dossier_id is not None:
        return draft.dossier
    existing = Dossier.objects.filter(submission_token=draft.token).first()
    if existing is not None:
        return _link(draft, existing)
    version = draft.procedure_version
    _check_procedure(version)
    government = draft.intake_agency.government()
    if not draft.intake_agency.is_active() or not government.is_active():
        raise ValidationError(
            _("Đơn vị tiếp nhận đã giải thể hoặc hết hiệu lực."), code="agency_inactive"
        )
    cleaned, applicant, errors = check_draft(draft)
    if errors:
        raise ValidationError(errors)
    files = {int(k): v for k, v in (draft.files or {}).items() if v}
    intake = services.Intake(
        procedure_version=version,
        applicant=applicant,
        papers_received=sorted(files),
        return_method=draft.return_method,
        channel=Channel.ONLINE,
        citizen=by,
    )
    now = services._now()
    dossier = services._dossier_from_intake(
        intake, draft.intake_agency, government, State.WAITING_INTAKE, by
    )
    dossier.regulation = regulation_on(services._local_day(now)).code
    dossier.postal_address = (
        draft.postal_address if draft.return_method == ReturnMethod.POST else ""
    )
    dossier.submission_token = draft.token
    try:
        with transaction.atomic():
            dossier.save()
    except IntegrityError:
        existing = Dossier.objects.filter(submission_token=draft.token).first()
        if existing is None:
            raise
        return _link(draft, existing)
    papers = services._create_papers(dossier, version, set(files))
    count = 0
    for order, entries in sorted(files.items()):
        for entry in entries:
            services._attach(
                dossier,
                StoredFile(**entry),
                DossierFile.Purpose.SCAN,
                by,
                papers.get(order),
            )
            count += 1
    draft.data = cleaned
    _link(draft, dossier, now)
    services._record(
        "dossier.submitted_online",
        dossier,
        by,
        procedure=version.procedure.national_code,
        files=count,
        return_method=dossier.return_method,
    )
    return dossier


def _link(draft: OnlineDraft, dossier: Dossier, now: dt.datetime | None = None) -> Dossier:
    draft.dossier = dossier
    draft.submitted_at = draft.submitted_at or now or services._now()
    draft.save(update_fields=["dossier", "submitted_at", "data", "updated_at"])
    return dossier


# --- the one-stop officer ----------------------------------------------------------------------


@transaction.atomic
def accept_online(dossier: Dossier, *, by, expected_version: int | None = None) -> Dossier:
    """Tiếp nhận hồ sơ trực tuyến: as a counter receipt (``services._issue_receipt``): the
    dossier code, the PIN and the due moment counted from now, the internal steps, the
    statistics; audited as ``dossier.received`` so the applicant is told code and PIN."""
    dossier = services._lock(
        dossier, expected_version, (State.WAITING_INTAKE,), _("tiếp nhận hồ sơ trực tuyến")
    )
    services._require(by, dossier.intake_agency_id, (Role.ONESTOP,), _("tiếp nhận hồ sơ"))
    version = dossier.procedure_version
    if not version.procedure.is_active:
        raise ValidationError(_("Thủ tục này đã ngừng áp dụng."), code="procedure_inactive")
    now = services._now()
    services._issue_receipt(dossier, version, now)
    dossier.state = State.RECEIVED
    services._save(dossier, "state", *services.RECEIPT_FIELDS)
    services._start_processing(dossier, version, now, by)
    services._record(
        "dossier.received",
        dossier,
        by,
        procedure=version.procedure.national_code,
        channel=dossier.channel,
        due_at=dossier.due_at.isoformat(),
        files=dossier.files.count(),
    )
    return dossier


@transaction.atomic
def refuse_online(
    dossier: Dossier, reason: str, *, by, expected_version: int | None = None
) -> Dossier:
    """Từ chối tiếp nhận hồ sơ trực tuyến (form 03), with the reason the applicant is told."""
    dossier = services._lock(
        dossier, expected_version, (State.WAITING_INTAKE,), _("từ chối tiếp nhận")
    )
    services._require(by, dossier.intake_agency_id, (Role.ONESTOP,), _("từ chối tiếp nhận hồ sơ"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Nêu rõ lý do từ chối tiếp nhận.")]})
    now = services._now()
    dossier.state = State.REFUSED
    dossier.closing_reason = reason
    dossier.received_at = now
    dossier.regulation = regulation_on(services._local_day(now)).code
    services._save(dossier, "state", "closing_reason", "received_at", "regulation")
    services._stat(dossier.agency_id, services._local_day(now), refused=1)
    services._record("dossier.refused", dossier, by, reason=reason)
    return dossier


@transaction.atomic
def supplement_online(
    dossier: Dossier,
    files: Sequence[StoredFile],
    note: str = "",
    *,
    by,
    expected_version: int | None = None,
) -> Dossier:
    """The applicant uploads the papers asked for: attached, and the clock resumes exactly as
    when the one-stop officer receives them (``dossier.supplement_received``)."""
    dossier = services._lock(dossier, expected_version, (State.SUPPLEMENT,), _("bổ sung hồ sơ"))
    if by is None or dossier.citizen_id != by.pk:
        raise ValidationError(_("Hồ sơ này không phải của bạn."), code="forbidden")
    note = (note or "").strip()[:2000]
    if not files:
        raise ValidationError(
            {"files": [_("Vui lòng tải lên ít nhất một giấy tờ bổ sung.")]}, code="no_files"
        )
    return services._resume_after_supplement(dossier, files, by=by, note=note)


@transaction.atomic
def choose_return_method(
    dossier: Dossier,
    method: str,
    address: str = "",
    *,
    by,
    expected_version: int | None = None,
) -> Dossier:
    """How the applicant gets the result: at the counter, by the public postal service (to the
    address given here) or online. The applicant, or the receiving one-stop officer, may change
    it until the result is returned."""
    dossier = services._lock(
        dossier, expected_version, RETURN_CHANGE_STATES, _("đổi hình thức nhận kết quả")
    )
    is_owner = by is not None and dossier.citizen_id is not None and dossier.citizen_id == by.pk
    if not is_owner:
        services._require(
            by, dossier.intake_agency_id, (Role.ONESTOP,), _("đổi hình thức nhận kết quả")
        )
    address = " ".join((address or "").split())[:500]
    errors = _return_errors(method, address)
    if errors:
        raise ValidationError(errors)
    dossier.return_method = method
    dossier.postal_address = address if method == ReturnMethod.POST else ""
    services._save(dossier, "return_method", "postal_address")
    services._record(
        "dossier.return_method_changed",
        dossier,
        by,
        return_method=method,
        postal_address=dossier.postal_address,
    )
    return dossier


# --- reads -------------------------------------------------------------------------------------


def waiting_intake(units: Sequence[Agency]) -> QuerySet[Dossier]:
    """Online dossiers waiting for intake at the officer's one-stop units, oldest first."""
    return (
        Dossier.objects.filter(intake_agency__in=list(units), state=State.WAITING_INTAKE)
        .select_related("procedure", "intake_agency")
        .order_by("created_at", "id")
    )


def citizen_dossiers(citizen) -> QuerySet[Dossier]:
    return Dossier.objects.filter(citizen=citizen).select_related("procedure", "agency")

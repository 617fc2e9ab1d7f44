"""The one-stop shop's state machine: the only code that changes dossiers.

Every function here is one transition. It locks the dossier row (``SELECT … FOR UPDATE``),
checks that the transition is allowed from the current state and, when the caller passes the
``expected_version`` it showed the officer, that nobody changed the dossier meanwhile; then it
changes state, writes the audit event (which is also the dossier's timeline) and updates the
statistics fact tables, all in one transaction. Bad input raises ``ValidationError`` with a
Vietnamese message and changes nothing.

Legal basis: NĐ 61/2018/NĐ-CP (now NĐ 118/2025/NĐ-CP) on the one-stop mechanism, with the
forms of TT 01/2018/TT-VPCP and TT 03/2025/TT-VPCP (STANDARDS.md §3).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egov.accounts.models import Role, citizen_id_validator
from egov.accounts.services import normalise_phone
from egov.core import audit, calendar, numbering
from egov.core.files import StoredFile
from egov.dossiers.models import (
    OPEN_STATES,
    ApplicantKind,
    Channel,
    DeadlineChange,
    Dossier,
    DossierDailyStat,
    DossierFile,
    DossierPaper,
    DossierStep,
    OpenDueCount,
    ReturnMethod,
    State,
    StepState,
    SupplementRequest,
    Timing,
)
from egov.dossiers.regulations import regulation_on
from egov.organizations.models import Agency
from egov.procedures.models import ProcedureVersion, ProcessStep


class TransitionError(ValidationError):
    """The action is not allowed in the dossier's current state."""


class ConflictError(ValidationError):
    """Someone else changed the dossier since the officer loaded it."""


# --- small helpers ---------------------------------------------------------------------------


_CLOCK: ContextVar[dt.datetime | None] = ContextVar("egov_dossier_clock", default=None)


def _now() -> dt.datetime:
    return _CLOCK.get() or timezone.now()


@contextmanager
def simulated_clock(moment: dt.datetime) -> Iterator[None]:
    """Act as if it were ``moment`` — only for generating demo and benchmark data, where a
    month of dossiers is replayed through the real services. Never used by views or the API."""
    token = _CLOCK.set(moment)
    try:
        yield
    finally:
        _CLOCK.reset(token)


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def timing_of(done_at: dt.datetime, due_at: dt.datetime) -> str:
    """Trước hạn / đúng hạn / quá hạn: before the due day is early, on the due day up to the due
    moment is on time, after the due moment is late."""
    if done_at > due_at:
        return Timing.LATE
    if _local_day(done_at) < _local_day(due_at):
        return Timing.EARLY
    return Timing.ON_TIME


def _lock(
    dossier: Dossier | int, expected_version: int | None, allowed: Iterable[str], action: str
) -> Dossier:
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    locked = (
        Dossier.objects.select_for_update().select_related("agency", "intake_agency").get(pk=pk)
    )
    if expected_version is not None and int(expected_version) != locked.version:
        raise ConflictError(
            _(
                "Hồ sơ %(code)s vừa được người khác cập nhật. Vui lòng tải lại trang để xem trạng thái mới."
            )
            % {"code": locked.code or locked.pk},
            code="conflict",
        )
    if locked.state not in allowed:
        raise TransitionError(
            _("Không thể %(action)s: hồ sơ đang ở trạng thái “%(state)s”.")
            % {"action": action, "state": locked.get_state_display()},
            code="transition_not_allowed",
        )
    return locked


def _in_vietnamese(make_text) -> str:
    """Texts stored in a dossier (and printed on its legal forms) are Vietnamese whatever the
    language of the officer's screen."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(make_text())


def _save(dossier: Dossier, *fields: str) -> None:
    dossier.version += 1
    dossier.save(update_fields=[*fields, "version"])


def _record(action: str, dossier: Dossier, by, **data) -> None:
    audit.record(
        action,
        actor=by,
        agency=dossier.agency_id,
        obj=dossier,
        data={"code": dossier.code, **data},
        at=_CLOCK.get(),  # None outside replayed demo/benchmark history: the real time
    )


def _counter_row(model, **key):
    """Get or create a counter row; losing a creation race to another transaction is fine."""
    row = model.objects.filter(**key).only("pk").first()
    if row is None:
        try:
            with transaction.atomic():
                row = model.objects.create(**key)
        except IntegrityError:
            row = model.objects.get(**key)
    return row


def _stat(agency_id: int, day: dt.date, **increments: int) -> None:
    row = _counter_row(DossierDailyStat, agency_id=agency_id, day=day)
    DossierDailyStat.objects.filter(pk=row.pk).update(
        **{k: F(k) + v for k, v in increments.items()}
    )


def _open_due(agency_id: int, due_at: dt.datetime, delta: int) -> None:
    _open_bucket_day(agency_id, _local_day(due_at), delta)


#: the bucket of ``OpenDueCount`` for dossiers whose clock is paused (waiting for papers): they
#: are in progress but can be neither on time nor overdue until the clock runs again
PAUSED_DAY = dt.date(9999, 12, 31)


def _open_bucket_day(agency_id: int, day: dt.date, delta: int) -> None:
    row = _counter_row(OpenDueCount, agency_id=agency_id, due_day=day)
    OpenDueCount.objects.filter(pk=row.pk).update(count=F("count") + delta)


def user_can_act(user, agency_id: int, roles: Iterable[str]) -> bool:
    if user is None:
        return True  # the system (a task, an import) acts with no user
    if user.is_superuser:
        return True
    return user.memberships.filter(
        is_active=True, agency_id=agency_id, role__in=list(roles)
    ).exists()


def _require_any(user, grants: Iterable[tuple[int, Iterable[str]]], what: str) -> None:
    """``user`` must hold one of the roles at one of the agencies in ``grants``."""
    if not any(user_can_act(user, agency_id, roles) for agency_id, roles in grants):
        raise ValidationError(
            _("Bạn không có quyền %(what)s tại đơn vị này.") % {"what": what}, code="forbidden"
        )


def may_handle(user, dossier: Dossier) -> bool:
    """Who may act for the dossier as a whole (supplement, result, apology) besides the active
    step's officer: the one-stop officer of the receiving unit, or a leader of the deciding
    government."""
    return user_can_act(user, dossier.intake_agency_id, (Role.ONESTOP,)) or user_can_act(
        user, dossier.agency_id, (Role.LEADER,)
    )


def _require(user, agency_id: int, roles: Iterable[str], what: str) -> None:
    if not user_can_act(user, agency_id, roles):
        raise ValidationError(
            _("Bạn không có quyền %(what)s tại đơn vị này.") % {"what": what}, code="forbidden"
        )


# --- agencies of the process -------------------------------------------------------------------


def resolve_step_agency(step: ProcessStep, intake_agency: Agency, government: Agency) -> Agency:
    """Where a procedure step happens for a dossier received by ``intake_agency``."""
    if step.unit == ProcessStep.Unit.ONESTOP:
        return intake_agency
    if step.unit == ProcessStep.Unit.DEPARTMENT and step.department_abbreviation:
        department = (
            Agency.objects.active()
            .filter(
                parent=government,
                kind=Agency.Kind.DEPARTMENT,
                abbreviation=step.department_abbreviation,
            )
            .first()
        )
        return department or government
    if step.unit == ProcessStep.Unit.HIGHER and government.parent_id:
        return government.parent.government()
    return government


def onestop_unit_of(government: Agency) -> Agency:
    """The one-stop unit of a government (itself when it has none)."""
    return (
        Agency.objects.active().filter(parent=government, kind=Agency.Kind.ONESTOP).first()
        or government
    )


# --- intake ----------------------------------------------------------------------------------


@dataclass
class Applicant:
    name: str
    kind: str = ApplicantKind.PERSON
    id_number: str = ""
    tax_code: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self.name = " ".join((self.name or "").split())
        if not self.name:
            errors.setdefault("applicant_name", []).append(
                _("Nhập họ tên người nộp hoặc tên tổ chức.")
            )
        if self.kind == ApplicantKind.PERSON:
            try:
                citizen_id_validator(self.id_number or "")
            except ValidationError:
                errors.setdefault("applicant_id_number", []).append(
                    _("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số.")
                )
        elif self.kind == ApplicantKind.ORGANISATION:
            tax = (self.tax_code or "").replace(" ", "")
            if not (tax.isdigit() and len(tax) == 10) and not (
                len(tax) == 14 and tax[:10].isdigit() and tax[10] == "-" and tax[11:].isdigit()
            ):
                errors.setdefault("applicant_tax_code", []).append(
                    _(
                        "Mã số thuế gồm 10 chữ số (hoặc 10 chữ số, dấu gạch và 3 chữ số của chi nhánh)."
                    )
                )
            self.tax_code = tax
        else:
            errors.setdefault("applicant_kind", []).append(_("Loại người nộp không hợp lệ."))
        if self.phone:
            phone = normalise_phone(self.phone)
            if phone is None:
                errors.setdefault("applicant_phone", []).append(
                    _("Số điện thoại di động không hợp lệ (ví dụ 0912345678).")
                )
            else:
                self.phone = phone
        if self.email:
            try:
                validate_email(self.email)
            except ValidationError:
                errors.setdefault("applicant_email", []).append(
                    _("Địa chỉ thư điện tử không hợp lệ.")
                )
        if errors:
            raise ValidationError(errors)


@dataclass
class Intake:
    """What the one-stop officer enters at the counter."""

    procedure_version: ProcedureVersion
    applicant: Applicant
    papers_received: Sequence[int] = ()  # ids (orders) of RequiredPaper rows ticked
    scans: Sequence[tuple[StoredFile, int | None]] = ()  # stored file, paper order it belongs to
    return_method: str = ReturnMethod.COUNTER
    channel: str = Channel.COUNTER
    subject: str = ""
    received_at: dt.datetime | None = None
    citizen: object | None = None
    extra: dict = field(default_factory=dict)


def format_code(agency_code: str, day: dt.date, seq: int) -> str:
    return settings.EGOV_DOSSIER_CODE_FORMAT.format(agency=agency_code, date=day, seq=seq)


def _issue_code(agency: Agency, received_at: dt.datetime) -> str:
    day = _local_day(received_at)
    seq = numbering.next_number(f"dossier:{agency.code}", day.strftime("%y%m%d"))
    return format_code(agency.code, day, seq)


def _new_pin() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _check_intake(intake: Intake, intake_agency: Agency, by) -> Agency:
    version = intake.procedure_version
    government = intake_agency.government()
    if not intake_agency.is_active():
        raise ValidationError(
            _("Đơn vị tiếp nhận đã giải thể hoặc hết hiệu lực."), code="agency_inactive"
        )
    if version.level != government.kind and not (
        version.level == "commune"
        and government.kind
        in (Agency.Kind.COMMUNE, Agency.Kind.WARD, Agency.Kind.TOWN, Agency.Kind.SPECIAL_ZONE)
    ):
        raise ValidationError(
            _("Thủ tục “%(name)s” thuộc %(level)s, không do %(agency)s giải quyết.")
            % {
                "name": version.name,
                "level": version.get_level_display().lower(),
                "agency": government.name,
            },
            code="wrong_level",
        )
    if not version.procedure.is_active:
        raise ValidationError(_("Thủ tục này đã ngừng áp dụng."), code="procedure_inactive")
    if intake.return_method not in ReturnMethod.values:
        raise ValidationError({"return_method": [_("Hình thức nhận kết quả không hợp lệ.")]})
    if intake.channel not in Channel.values:
        raise ValidationError({"channel": [_("Hình thức nộp không hợp lệ.")]})
    intake.applicant.clean()
    ticked = set(intake.papers_received)
    missing = [p.name for p in version.papers.all() if p.required and p.order not in ticked]
    if missing:
        raise ValidationError(
            {
                "papers": [
                    _("Hồ sơ chưa đủ thành phần bắt buộc: %(names)s.")
                    % {"names": "; ".join(missing)}
                ]
            },
            code="papers_missing",
        )
    _require(by, intake_agency.pk, (Role.ONESTOP,), _("tiếp nhận hồ sơ"))
    return government


def _dossier_from_intake(
    intake: Intake, intake_agency: Agency, government: Agency, state: str, by
) -> Dossier:
    version = intake.procedure_version
    a = intake.applicant
    return Dossier(
        agency=government,
        intake_agency=intake_agency,
        procedure_version=version,
        procedure_id=version.procedure_id,
        state=state,
        channel=intake.channel,
        return_method=intake.return_method,
        applicant_kind=a.kind,
        applicant_name=a.name,
        applicant_id_number=a.id_number if a.kind == ApplicantKind.PERSON else "",
        applicant_tax_code=a.tax_code if a.kind == ApplicantKind.ORGANISATION else "",
        applicant_phone=a.phone,
        applicant_email=a.email,
        applicant_address=a.address,
        subject=intake.subject or version.name,
        citizen=intake.citizen,
        created_by=by,
    )


def _create_papers(
    dossier: Dossier, version: ProcedureVersion, ticked: set[int]
) -> dict[int, DossierPaper]:
    papers = [
        DossierPaper(
            dossier=dossier,
            order=p.order,
            name=p.name,
            kind=_in_vietnamese(p.get_kind_display),
            count=p.count,
            required=p.required,
            received=p.order in ticked,
        )
        for p in version.papers.all()
    ]
    DossierPaper.objects.bulk_create(papers)
    return {p.order: p for p in dossier.papers.all()}


def _attach(
    dossier: Dossier, stored: StoredFile, purpose: str, by, paper: DossierPaper | None = None
) -> DossierFile:
    return DossierFile.objects.create(
        dossier=dossier,
        paper=paper,
        purpose=purpose,
        storage_name=stored.name,
        original_name=stored.original_name,
        size=stored.size,
        sha256=stored.sha256,
        kind=stored.kind,
        uploaded_by=by,
    )


def _create_steps(
    dossier: Dossier, version: ProcedureVersion, intake_agency: Agency, government: Agency
) -> list[DossierStep]:
    steps = [
        DossierStep(
            dossier=dossier,
            order=s.order,
            name=s.name,
            agency=resolve_step_agency(s, intake_agency, government),
            role=s.role,
            duration=s.duration,
            time_unit=version.time_unit,
            is_transfer=s.unit == ProcessStep.Unit.HIGHER,
        )
        for s in version.steps.all()
    ]
    DossierStep.objects.bulk_create(steps)
    return list(dossier.steps.order_by("order"))


def _start_step(step: DossierStep, at: dt.datetime, *, received_from=None, assignee=None) -> None:
    step.state = StepState.ACTIVE
    step.started_at = at
    step.due_at = calendar.add_duration(at, step.duration, step.time_unit)
    step.received_from = received_from
    step.assignee = assignee
    step.save(update_fields=["state", "started_at", "due_at", "received_from", "assignee"])


#: fields set by :func:`_issue_receipt` (for ``_save`` of a dossier that existed before)
RECEIPT_FIELDS = (
    "received_at",
    "counted_from",
    "due_at",
    "original_due_at",
    "counted_due_at",
    "regulation",
    "code",
    "pin",
)


def _issue_receipt(dossier: Dossier, version: ProcedureVersion, received_at: dt.datetime) -> None:
    """What the receipt gives a dossier, the same at the counter and for an accepted online
    one: the receipt moment, the due moment (the procedure's time limit in working time from
    receipt, from the next working day after the cut-off time), the forms regulation in force,
    the dossier code of the deciding government and the lookup PIN. Not saved here."""
    dossier.received_at = received_at
    dossier.counted_from = calendar.effective_start(received_at, version.cutoff_time)
    dossier.due_at = dossier.original_due_at = dossier.counted_due_at = calendar.add_duration(
        received_at, version.processing_time, version.time_unit, version.cutoff_time
    )
    dossier.regulation = regulation_on(_local_day(received_at)).code
    dossier.code = _issue_code(dossier.agency, received_at)
    dossier.pin = _new_pin()


def _start_processing(
    dossier: Dossier, version: ProcedureVersion, received_at: dt.datetime, by
) -> None:
    """After the receipt (saved): the internal steps, the first one started (given to the
    receiving officer when it is at their unit), the statistics counters."""
    steps = _create_steps(dossier, version, dossier.intake_agency, dossier.agency)
    if steps:
        _start_step(
            steps[0],
            received_at,
            assignee=by
            if by is not None and steps[0].agency_id == dossier.intake_agency_id
            else None,
        )
    _stat(dossier.agency_id, _local_day(received_at), **{f"received_{dossier.channel}": 1})
    _open_due(dossier.agency_id, dossier.counted_due_at, +1)


@transaction.atomic
def receive(intake: Intake, intake_agency: Agency, *, by) -> Dossier:
    """Tiếp nhận hồ sơ tại bộ phận một cửa (counter intake; also post and accepted online ones).

    Issues the dossier code ``{agency code}-{yymmdd}-{NNNN}`` from ``core.numbering`` (one
    sequence per receiving agency per day, TT 01/2018 Điều 26 / TT 03/2025), a 6-digit lookup
    PIN, and the due moment: the procedure's time limit in working days counted from receipt,
    or from the next working day when received after the procedure's cut-off time."""
    government = _check_intake(intake, intake_agency, by)
    version = intake.procedure_version
    received_at = intake.received_at or _now()
    dossier = _dossier_from_intake(intake, intake_agency, government, State.RECEIVED, by)
    _issue_receipt(dossier, version, received_at)
    dossier.save()
    ticked = set(intake.papers_received)
    papers = _create_papers(dossier, version, ticked)
    for stored, paper_order in intake.scans:
        _attach(dossier, stored, DossierFile.Purpose.SCAN, by, papers.get(paper_order))
    _start_processing(dossier, version, received_at, by)
    _record(
        "dossier.received",
        dossier,
        by,
        procedure=version.procedure.national_code,
        channel=intake.channel,
        due_at=dossier.due_at.isoformat(),
        files=len(intake.scans),
    )
    return dossier


@transaction.atomic
def refuse_intake(intake: Intake, intake_agency: Agency, reason: str, *, by) -> Dossier:
    """Từ chối tiếp nhận (form 03): the dossier is recorded with the reason, without a code or
    deadline; the applicant gets form 03. Papers may be incomplete — that is often why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Nêu rõ lý do từ chối tiếp nhận.")]})
    intake.applicant.clean()
    _require(by, intake_agency.pk, (Role.ONESTOP,), _("từ chối tiếp nhận hồ sơ"))
    government = intake_agency.government()
    now = intake.received_at or _now()
    dossier = _dossier_from_intake(intake, intake_agency, government, State.REFUSED, by)
    dossier.closing_reason = reason
    dossier.received_at = now
    dossier.regulation = regulation_on(_local_day(now)).code
    dossier.save()
    _create_papers(dossier, intake.procedure_version, set(intake.papers_received))
    _stat(government.pk, _local_day(now), refused=1)
    _record("dossier.refused", dossier, by, reason=reason)
    return dossier


# --- processing ------------------------------------------------------------------------------


def active_step(dossier: Dossier) -> DossierStep | None:
    return dossier.steps.filter(state=StepState.ACTIVE).order_by("order").first()


def is_return_step(step: DossierStep, dossier: Dossier) -> bool:
    """The last step, at the one-stop unit, is the return of the result (trả kết quả)."""
    last = dossier.steps.order_by("-order").first()
    return (
        last is not None
        and last.pk == step.pk
        and step.agency_id == dossier.intake_agency_id
        and step.order > 1
    )


def may_work_on(user, step: DossierStep) -> bool:
    if user is None or user.is_superuser:
        return True
    if step.assignee_id is not None:
        return (
            step.assignee_id == user.pk
            or user.memberships.filter(
                is_active=True, agency_id=step.agency_id, role=Role.LEADER
            ).exists()
        )
    return (
        user.memberships.filter(is_active=True, agency_id=step.agency_id)
        .filter(role__in=[step.role, Role.LEADER])
        .exists()
    )


@transaction.atomic
def assign(
    dossier: Dossier, step_order: int, assignee, *, by, expected_version: int | None = None
) -> DossierStep:
    """The head of the unit gives the active step to one of its officers (phân công)."""
    dossier = _lock(dossier, expected_version, OPEN_STATES, _("phân công xử lý"))
    step = dossier.steps.filter(
        order=step_order, state__in=[StepState.ACTIVE, StepState.PENDING]
    ).first()
    if step is None:
        raise ValidationError(_("Bước xử lý không tồn tại hoặc đã xong."), code="no_step")
    _require(by, step.agency_id, (Role.LEADER,), _("phân công xử lý"))
    if not assignee.memberships.filter(is_active=True, agency_id=step.agency_id).exists():
        raise ValidationError(
            {"assignee": [_("Cán bộ được phân công không thuộc đơn vị thực hiện bước này.")]}
        )
    step.assignee = assignee
    step.save(update_fields=["assignee"])
    _save(dossier)
    _record("dossier.assigned", dossier, by, step=step.order, assignee=assignee.get_username())
    return step


@transaction.atomic
def hand_over(
    dossier: Dossier, *, by, note: str = "", to_user=None, expected_version: int | None = None
) -> Dossier:
    """Complete the active step and give the dossier to the next one (form 06 records each
    hand-over: giver, receiver, time, and whether the step was early, on time or late). Handing
    over into the final return step at the one-stop unit — or finishing the last step — makes
    the result ready; a result document must be attached first."""
    dossier = _lock(
        dossier, expected_version, (State.RECEIVED, State.IN_PROCESS), _("chuyển bước xử lý")
    )
    step = active_step(dossier)
    if step is None:
        raise TransitionError(_("Hồ sơ không có bước đang xử lý."), code="no_active_step")
    if not may_work_on(by, step):
        raise ValidationError(
            _("Bạn không phải người xử lý bước “%(step)s”.") % {"step": step.name}, code="forbidden"
        )
    signed_fields = []
    if step.role == Role.LEADER and dossier.result_file and dossier.result_signed_at is None:
        signed_fields = _sign_result(dossier, step, by)
    now = _now()
    step.state = StepState.DONE
    step.completed_at = now
    step.completed_by = by
    step.timing = timing_of(now, step.due_at) if step.due_at else Timing.ON_TIME
    step.note = (note or "").strip()
    step.save(update_fields=["state", "completed_at", "completed_by", "timing", "note"])
    following = (
        dossier.steps.filter(order__gt=step.order, state=StepState.PENDING)
        .order_by("order")
        .first()
    )
    becomes_ready = following is None or is_return_step(following, dossier)
    if becomes_ready and not dossier.result_file:
        raise ValidationError(
            _("Cần đính kèm văn bản kết quả trước khi chuyển trả kết quả."), code="result_missing"
        )
    if (
        to_user is not None
        and following is not None
        and not to_user.memberships.filter(is_active=True, agency_id=following.agency_id).exists()
    ):
        raise ValidationError(
            {"to_user": [_("Người nhận không thuộc đơn vị thực hiện bước tiếp theo.")]}
        )
    if following is not None:
        _start_step(following, now, received_from=by, assignee=to_user)
    fields = ["state", *signed_fields]
    if becomes_ready:
        _mark_resolved(dossier, now)
        fields += ["resolved_at", "timing"]
    else:
        dossier.state = State.IN_PROCESS
    _save(dossier, *fields)
    _record(
        "dossier.handed_over",
        dossier,
        by,
        step=step.order,
        step_name=step.name,
        timing=step.timing,
        to_step=following.order if following else None,
        to_agency=following.agency.code if following else None,
        to_user=to_user.get_username() if to_user else None,
        note=step.note,
    )
    return dossier


def _sign_result(dossier: Dossier, step: DossierStep, by) -> list[str]:
    """The leader's approval signs the result: the leader's signature, then the agency's
    (egov.signing). ``EGOV_DOSSIER_SIGN_RESULTS``: "required" refuses the approval without keys;
    "when_configured" signs when the leader has a key and otherwise approves unsigned (logged);
    "off" never signs."""
    mode = settings.EGOV_DOSSIER_SIGN_RESULTS
    if mode == "off":
        return []
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from egov.core.files import store_upload
    from egov.signing.backends import SigningError
    from egov.signing.signers import person_key, sign_with_authority

    if mode != "required" and person_key(by, step.agency) is None:
        _record("dossier.result_not_signed", dossier, by, reason="no signing key")
        return []
    with storages["default"].open(dossier.result_file, "rb") as fh:
        original = fh.read()
    try:
        signed = sign_with_authority(
            original,
            user=by,
            agency=step.agency,
            reason=_("Phê duyệt kết quả giải quyết hồ sơ %(code)s") % {"code": dossier.code},
            location=step.agency.name,
        )
    except SigningError as exc:
        raise ValidationError(
            _("Không ký số được văn bản kết quả: %(error)s") % {"error": exc}, code="signing"
        ) from None
    name = (
        DossierFile.objects.filter(dossier=dossier, storage_name=dossier.result_file)
        .values_list("original_name", flat=True)
        .first()
        or "ket-qua.pdf"
    )
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stored = store_upload(
        ContentFile(signed.pdf, name=f"{stem}-da-ky-so.pdf"), folder="dossiers/results"
    )
    _attach(dossier, stored, DossierFile.Purpose.RESULT, by)
    dossier.result_file = stored.name
    dossier.result_signed_at = _now()
    _record(
        "dossier.result_signed",
        dossier,
        by,
        signer=signed.person,
        agency=signed.agency,
        visible=signed.visible,
        file=stored.original_name,
        sha256=stored.sha256,
    )
    return ["result_file", "result_signed_at"]


def _mark_resolved(dossier: Dossier, now: dt.datetime) -> None:
    dossier.state = State.RESULT_READY
    dossier.resolved_at = now
    dossier.timing = timing_of(now, dossier.counted_due_at)
    _stat(dossier.agency_id, _local_day(now), **{f"resolved_{dossier.timing}": 1})
    _open_due(dossier.agency_id, dossier.counted_due_at, -1)


@transaction.atomic
def attach_result(
    dossier: Dossier, stored: StoredFile, *, by, note: str = "", expected_version: int | None = None
) -> DossierFile:
    """The processing officer attaches the result document (a PDF)."""
    dossier = _lock(
        dossier, expected_version, (State.RECEIVED, State.IN_PROCESS), _("đính kèm kết quả")
    )
    if stored.kind != "pdf":
        raise ValidationError(
            {"file": [_("Văn bản kết quả phải là tệp PDF.")]}, code="result_not_pdf"
        )
    step = active_step(dossier)
    if not (
        (step is not None and may_work_on(by, step)) or (step is None and may_handle(by, dossier))
    ):
        raise ValidationError(
            _("Chỉ người đang xử lý hồ sơ mới được đính kèm kết quả."), code="forbidden"
        )
    file = _attach(dossier, stored, DossierFile.Purpose.RESULT, by)
    dossier.result_file = stored.name
    dossier.result_note = (note or "").strip()[:500]
    dossier.result_signed_at = None  # a new result is signed again at the approval
    _save(dossier, "result_file", "result_note", "result_signed_at")
    _record("dossier.result_attached", dossier, by, file=stored.original_name, sha256=stored.sha256)
    return file


@transaction.atomic
def return_result(
    dossier: Dossier, *, by, received_by: str, note: str = "", expected_version: int | None = None
) -> Dossier:
    """Trả kết quả: recorded with who received it and when; closes the return step."""
    dossier = _lock(dossier, expected_version, (State.RESULT_READY,), _("trả kết quả"))
    received_by = " ".join((received_by or "").split())
    if not received_by:
        raise ValidationError({"received_by": [_("Nhập họ tên người nhận kết quả.")]})
    _require(by, dossier.intake_agency_id, (Role.ONESTOP,), _("trả kết quả"))
    now = _now()
    step = active_step(dossier)
    if step is not None:
        step.state, step.completed_at, step.completed_by = StepState.DONE, now, by
        step.timing = timing_of(now, step.due_at) if step.due_at else Timing.ON_TIME
        step.note = (note or "").strip()
        step.save(update_fields=["state", "completed_at", "completed_by", "timing", "note"])
    dossier.state = State.RETURNED
    dossier.returned_at = now
    dossier.returned_to = received_by
    _save(dossier, "state", "returned_at", "returned_to")
    _stat(dossier.agency_id, _local_day(now), returned=1)
    _record("dossier.returned", dossier, by, received_by=received_by, note=note)
    return dossier


# --- supplements, transfers, extensions --------------------------------------------------------


@transaction.atomic
def request_supplement(
    dossier: Dossier,
    reason: str,
    papers: Sequence[str] = (),
    *,
    by,
    expected_version: int | None = None,
) -> SupplementRequest:
    """Yêu cầu bổ sung, hoàn thiện hồ sơ (form 02): the clock stops until the papers arrive."""
    dossier = _lock(
        dossier, expected_version, (State.RECEIVED, State.IN_PROCESS), _("yêu cầu bổ sung")
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Nêu rõ nội dung cần bổ sung, hoàn thiện.")]})
    step = active_step(dossier)
    if not ((step is not None and may_work_on(by, step)) or may_handle(by, dossier)):
        raise ValidationError(
            _("Chỉ người đang xử lý hồ sơ mới được yêu cầu bổ sung."), code="forbidden"
        )
    now = _now()
    request = SupplementRequest.objects.create(
        dossier=dossier,
        requested_at=now,
        requested_by=by,
        reason=reason,
        papers=[p.strip() for p in papers if p.strip()],
    )
    dossier.state = State.SUPPLEMENT
    dossier.paused_at = now
    _save(dossier, "state", "paused_at")
    _open_due(dossier.agency_id, dossier.counted_due_at, -1)
    _open_bucket_day(dossier.agency_id, PAUSED_DAY, +1)
    _record("dossier.supplement_requested", dossier, by, reason=reason, papers=request.papers)
    return request


@transaction.atomic
def receive_supplement(
    dossier: Dossier,
    files: Sequence[StoredFile] = (),
    *,
    by,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The applicant brought (or uploaded) the missing papers: the clock resumes. The due
    moments of the dossier and of the active step move by the working time the dossier was
    paused, so the time already spent still counts."""
    dossier = _lock(dossier, expected_version, (State.SUPPLEMENT,), _("nhận hồ sơ bổ sung"))
    step = active_step(dossier)
    if not ((step is not None and may_work_on(by, step)) or may_handle(by, dossier)):
        raise ValidationError(
            _("Bạn không có quyền nhận hồ sơ bổ sung tại đơn vị này."), code="forbidden"
        )
    return _resume_after_supplement(dossier, files, by=by, note=note)


def _resume_after_supplement(
    dossier: Dossier, files: Sequence[StoredFile], *, by, note: str = ""
) -> Dossier:
    """The papers arrived (at the counter or uploaded online by the applicant): attach them and
    run the clock again. ``dossier`` is locked and in the supplement state."""
    now = _now()
    paused = calendar.working_time_between(dossier.paused_at, now)
    old_due, old_counted = dossier.due_at, dossier.counted_due_at
    dossier.due_at = calendar.add_working_hours(old_due, paused) if paused else old_due
    dossier.counted_due_at = (
        calendar.add_working_hours(old_counted, paused) if paused else old_counted
    )
    step = active_step(dossier)
    if step is not None and step.due_at is not None and paused:
        step.due_at = calendar.add_working_hours(step.due_at, paused)
        step.save(update_fields=["due_at"])
    request = dossier.supplements.filter(resumed_at__isnull=True).order_by("-requested_at").first()
    if request is not None:
        request.resumed_at, request.resumed_by = now, by
        request.save(update_fields=["resumed_at", "resumed_by"])
    for stored in files:
        _attach(dossier, stored, DossierFile.Purpose.SUPPLEMENT, by)
    has_done_steps = dossier.steps.filter(state=StepState.DONE).exists()
    dossier.state = State.IN_PROCESS if has_done_steps else State.RECEIVED
    dossier.paused_at = None
    _save(dossier, "state", "paused_at", "due_at", "counted_due_at")
    if dossier.due_at != old_due:
        DeadlineChange.objects.create(
            dossier=dossier,
            changed_at=now,
            changed_by=by,
            old_due_at=old_due,
            new_due_at=dossier.due_at,
            reason=_in_vietnamese(lambda: _("Tạm dừng chờ bổ sung hồ sơ")),
            kind="pause",
        )
    # back from the paused bucket to the (moved) due day
    _open_bucket_day(dossier.agency_id, PAUSED_DAY, -1)
    _open_due(dossier.agency_id, dossier.counted_due_at, +1)
    _record(
        "dossier.supplement_received",
        dossier,
        by,
        paused_hours=round(paused.total_seconds() / 3600, 2),
        due_at=dossier.due_at.isoformat(),
        files=len(files),
        note=note,
    )
    return dossier


@transaction.atomic
def apologize_and_extend(
    dossier: Dossier,
    new_due_at: dt.datetime,
    reason: str,
    *,
    by,
    expected_version: int | None = None,
) -> DeadlineChange:
    """Văn bản xin lỗi và đề nghị gia hạn (form 04, TT 03/2025; "phiếu xin lỗi và hẹn lại
    ngày trả kết quả" under TT 01/2018): a late (or about to be late) dossier gets a new due
    date. The original due date stays recorded; the result is still counted against it."""
    dossier = _lock(dossier, expected_version, OPEN_STATES, _("gia hạn"))
    current = active_step(dossier)
    # The deciding agency's leader signs it; the one-stop unit hands it to the applicant.
    grants = [(dossier.agency_id, (Role.LEADER,)), (dossier.intake_agency_id, (Role.ONESTOP,))]
    if current is not None:
        grants.append((current.agency_id, (Role.LEADER,)))
    _require_any(by, grants, _("gửi văn bản xin lỗi, gia hạn"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Nêu rõ lý do chậm trễ.")]})
    if timezone.is_naive(new_due_at):
        new_due_at = timezone.make_aware(new_due_at)
    if new_due_at <= dossier.due_at:
        raise ValidationError(
            {
                "new_due_at": [
                    _("Hạn mới phải sau hạn hiện tại (%(due)s).")
                    % {"due": calendar.format_moment(dossier.due_at)}
                ]
            }
        )
    if not calendar.is_working_day(new_due_at):
        raise ValidationError({"new_due_at": [_("Hạn mới phải là ngày làm việc.")]})
    now = _now()
    change = DeadlineChange.objects.create(
        dossier=dossier,
        changed_at=now,
        changed_by=by,
        old_due_at=dossier.due_at,
        new_due_at=new_due_at,
        reason=reason,
        kind="apology",
    )
    dossier.due_at = new_due_at
    _save(dossier, "due_at")
    _record(
        "dossier.extended",
        dossier,
        by,
        old_due_at=change.old_due_at.isoformat(),
        new_due_at=new_due_at.isoformat(),
        reason=reason,
    )
    return change


@transaction.atomic
def transfer(
    dossier: Dossier,
    to_agency: Agency,
    duration_days: Decimal | int,
    *,
    by,
    note: str = "",
    expected_version: int | None = None,
) -> DossierStep:
    """Một cửa liên thông: send the dossier to another agency (e.g. commune → district) for a
    step with its own deadline; when that agency hands over, the process continues here."""
    dossier = _lock(
        dossier, expected_version, (State.RECEIVED, State.IN_PROCESS), _("chuyển liên thông")
    )
    duration = Decimal(str(duration_days))
    if duration <= 0:
        raise ValidationError(
            {"duration": [_("Thời hạn xử lý tại cơ quan liên thông phải lớn hơn 0.")]}
        )
    if to_agency.pk in (dossier.agency_id, dossier.intake_agency_id) or not to_agency.is_active():
        raise ValidationError(
            {"to_agency": [_("Chọn một cơ quan khác, đang hoạt động, để chuyển liên thông.")]}
        )
    step = active_step(dossier)
    if step is None or not may_work_on(by, step):
        raise ValidationError(
            _("Chỉ người đang xử lý hồ sơ mới được chuyển liên thông."), code="forbidden"
        )
    # Make room after the active step (reverse order keeps (dossier, order) unique at each update).
    for later in dossier.steps.filter(order__gt=step.order).order_by("-order"):
        DossierStep.objects.filter(pk=later.pk).update(order=F("order") + 1)
    government = to_agency.government() if to_agency.kind != Agency.Kind.ONESTOP else to_agency
    receiver = (
        onestop_unit_of(government) if to_agency.kind in Agency.GOVERNMENT_KINDS else to_agency
    )
    new_step = DossierStep.objects.create(
        dossier=dossier,
        order=step.order + 1,
        name=_in_vietnamese(
            lambda: _("Xử lý liên thông tại %(agency)s") % {"agency": to_agency.name}
        ),
        agency=receiver,
        role=Role.ONESTOP if receiver.kind == Agency.Kind.ONESTOP else Role.SPECIALIST,
        duration=duration,
        time_unit="days",
        is_transfer=True,
    )
    now = _now()
    step.state, step.completed_at, step.completed_by = StepState.DONE, now, by
    step.timing = timing_of(now, step.due_at) if step.due_at else Timing.ON_TIME
    step.note = (note or "").strip()
    step.save(update_fields=["state", "completed_at", "completed_by", "timing", "note"])
    _start_step(new_step, now, received_from=by)
    dossier.state = State.IN_PROCESS
    _save(dossier, "state")
    _record(
        "dossier.transferred",
        dossier,
        by,
        to_agency=to_agency.code,
        step=new_step.order,
        duration_days=str(duration),
        note=note,
    )
    return new_step


# --- closing without a result ------------------------------------------------------------------


def _close(dossier: Dossier, state: str, reason: str, action: str, by) -> Dossier:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Nêu rõ lý do.")]})
    now = _now()
    dossier.steps.filter(state__in=[StepState.ACTIVE, StepState.PENDING]).update(
        state=StepState.SKIPPED
    )
    was_open = dossier.state in OPEN_STATES
    was_paused = dossier.state == State.SUPPLEMENT
    dossier.state = state
    dossier.closing_reason = reason
    dossier.resolved_at = now
    dossier.paused_at = None
    _save(dossier, "state", "closing_reason", "resolved_at", "paused_at")
    if was_open:
        _stat(dossier.agency_id, _local_day(now), closed_without_result=1)
        if was_paused:
            _open_bucket_day(dossier.agency_id, PAUSED_DAY, -1)
        else:
            _open_due(dossier.agency_id, dossier.counted_due_at, -1)
    _record(action, dossier, by, reason=reason)
    return dossier


@transaction.atomic
def stop(dossier: Dossier, reason: str, *, by, expected_version: int | None = None) -> Dossier:
    """Dừng giải quyết hồ sơ (form 05), e.g. the applicant did not supplement in time."""
    dossier = _lock(dossier, expected_version, OPEN_STATES, _("dừng giải quyết"))
    _require(by, dossier.agency_id, (Role.LEADER,), _("dừng giải quyết hồ sơ"))
    return _close(dossier, State.STOPPED, reason, "dossier.stopped", by)


@transaction.atomic
def withdraw(dossier: Dossier, reason: str, *, by, expected_version: int | None = None) -> Dossier:
    """The applicant withdraws the dossier (rút hồ sơ), recorded by the one-stop officer."""
    dossier = _lock(dossier, expected_version, OPEN_STATES, _("rút hồ sơ"))
    _require(by, dossier.intake_agency_id, (Role.ONESTOP,), _("ghi nhận rút hồ sơ"))
    return _close(dossier, State.WITHDRAWN, reason, "dossier.withdrawn", by)

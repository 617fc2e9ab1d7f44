"""Outgoing documents (văn bản đi): the draft form (new, edit, reply to an incoming document,
replacement of an issued one), the document page with versions, recipients, signatures and
timeline, and its actions (send for review, approve or return, approve and sign, issue,
dispatch, paper sent, recall, correct)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from egov.accounts.models import User
from egov.organizations.models import Agency

from .. import forms, selectors, services
from ..models import DocumentFile, OutState, Recipient
from .common import (
    apply_errors,
    describe_events,
    incoming_or_404,
    officer_required,
    outgoing_or_404,
    run_action,
)

ACTIONS = {
    "send_review": gettext_lazy("Trình duyệt"),
    "approve_review": gettext_lazy("Duyệt, trình lãnh đạo ký"),
    "sign": gettext_lazy("Phê duyệt và ký số"),
    "return": gettext_lazy("Trả lại dự thảo để sửa"),
    "issue": gettext_lazy("Cấp số, ban hành và phát hành"),
    "dispatch": gettext_lazy("Gửi lại đến nơi nhận chưa nhận được"),
    "paper_sent": gettext_lazy("Đã chuyển bản giấy"),
    "correct": gettext_lazy("Đính chính văn bản"),
    "recall": gettext_lazy("Thu hồi văn bản"),
}


def drafting_units(user):
    if user.is_superuser:
        return Agency.objects.exclude(kind=Agency.Kind.ONESTOP).order_by("path")
    return (
        Agency.objects.filter(
            memberships__user=user,
            memberships__is_active=True,
            memberships__role__in=["specialist", "leader"],
        )
        .distinct()
        .order_by("path")
    )


def recipient_agencies():
    return Agency.objects.filter(kind__in=Agency.GOVERNMENT_KINDS).active().order_by("path")


def _specs(cd) -> list[services.RecipientSpec]:
    specs = [services.RecipientSpec("internal", agency=a) for a in cd["internal"]]
    specs += [services.RecipientSpec("email", email=e) for e in cd["emails"]]
    specs += [services.RecipientSpec("paper", name=n) for n in cd["paper"]]
    return specs


def _draft_data(cd, reply_to, replaces) -> services.DraftData:
    return services.DraftData(
        doc_type=cd["doc_type"],
        subject=cd["subject"],
        body=cd["body"],
        recipients=_specs(cd),
        urgency=cd["urgency"],
        secrecy=cd["secrecy"],
        due_date=cd["due_date"],
        reply_to=reply_to,
        replaces=replaces,
        signer_position=cd["signer_position"],
        authority=cd["authority"],
        issued_amount=cd["issued_amount"] or 1,
    )


def _links(request, initial_source):
    """The incoming document answered and the issued document replaced, from the query or the
    form, each checked for visibility."""
    reply_to = replaces = None
    raw = initial_source.get("reply_to")
    if raw:
        try:
            reply_to = incoming_or_404(request.user, int(raw))
        except ValueError as exc:
            raise Http404 from exc
    raw = initial_source.get("replaces")
    if raw:
        try:
            replaces = outgoing_or_404(request.user, int(raw))
        except ValueError as exc:
            raise Http404 from exc
    return reply_to, replaces


def _reply_initial(user, reply_to, units) -> dict:
    initial = {
        "reply_to": reply_to.pk,
        "doc_type": "cong_van",
        "subject": _("V/v trả lời Văn bản số %(ns)s ngày %(d)s của %(issuer)s")
        % {
            "ns": reply_to.number_symbol,
            "d": reply_to.issued_date.strftime("%d/%m/%Y"),
            "issuer": reply_to.issuer_name,
        },
    }
    part = reply_to.assignments.filter(assignee=user).select_related("unit").first()
    if part is not None and units.filter(pk=part.unit_id).exists():
        initial["drafting_unit"] = part.unit_id
    if reply_to.issuer_agency_id:
        initial["internal"] = [reply_to.issuer_agency_id]
    else:
        initial["paper"] = reply_to.issuer_name
    return initial


@officer_required
def draft_new(request):
    user = request.user
    units = drafting_units(user)
    if not units.exists():
        messages.error(request, _("Bạn không có quyền soạn thảo văn bản."))
        return redirect("documents:inbox")
    source = request.POST if request.method == "POST" else request.GET
    reply_to, replaces = _links(request, source)
    initial = {"issued_amount": 1}
    if reply_to is not None:
        initial.update(_reply_initial(user, reply_to, units))
    if replaces is not None:
        initial.update(
            replaces=replaces.pk,
            doc_type=replaces.doc_type,
            subject=replaces.subject,
            body=replaces.body,
            internal=[r.agency_id for r in replaces.recipients.all() if r.agency_id],
        )
    form = forms.DraftForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        units=units,
        recipients=recipient_agencies(),
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            doc = services.create_draft(
                cd["drafting_unit"],
                _draft_data(cd, reply_to, replaces),
                by=user,
                files=[cd["file"]] if cd["file"] else [],
                attachments=cd["attachments"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu dự thảo."))
            return redirect("documents:outgoing", doc.pk)
    return render(
        request,
        "documents/draft_form.html",
        {"form": form, "reply_to": reply_to, "replaces": replaces, "doc": None},
        status=400 if request.method == "POST" else 200,
    )


@officer_required
def draft_edit(request, pk: int):
    user = request.user
    doc = outgoing_or_404(user, pk)
    if doc.state not in (OutState.DRAFT, OutState.RETURNED) or (
        doc.created_by_id != user.pk and not user.is_superuser
    ):
        messages.error(
            request, _("Chỉ người soạn thảo được sửa dự thảo đang soạn hoặc bị trả lại.")
        )
        return redirect("documents:outgoing", doc.pk)
    recipients = list(doc.recipients.all())
    initial = {
        "version": doc.version,
        "drafting_unit": doc.drafting_unit_id,
        "doc_type": doc.doc_type,
        "subject": doc.subject,
        "body": doc.body,
        "internal": [r.agency_id for r in recipients if r.channel == Recipient.Channel.INTERNAL],
        "emails": "\n".join(r.email for r in recipients if r.channel == Recipient.Channel.EMAIL),
        "paper": "\n".join(r.name for r in recipients if r.channel == Recipient.Channel.PAPER),
        "urgency": doc.urgency,
        "secrecy": doc.secrecy,
        "due_date": doc.due_date,
        "authority": doc.authority,
        "signer_position": doc.signer_position,
        "issued_amount": doc.issued_amount,
    }
    form = forms.DraftForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        units=Agency.objects.filter(pk=doc.drafting_unit_id),
        recipients=recipient_agencies(),
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.update_draft(
                doc,
                by=user,
                data=_draft_data(cd, doc.reply_to, doc.replaces),
                new_version=cd["file"],
                expected_version=cd["version"],
            )
            if cd["attachments"]:
                for f in cd["attachments"]:
                    services.attach_file(doc, f, DocumentFile.Role.ATTACHMENT, by=user)
        except (services.ConflictError, services.TransitionError) as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("documents:outgoing", doc.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu dự thảo."))
            return redirect("documents:outgoing", doc.pk)
    return render(
        request,
        "documents/draft_form.html",
        {"form": form, "reply_to": doc.reply_to, "replaces": doc.replaces, "doc": doc},
        status=400 if request.method == "POST" else 200,
    )


# --- the document page ------------------------------------------------------------------------


def _reviewers(doc):
    target = doc.drafting_unit_id if doc.drafting_unit_id != doc.agency_id else doc.agency_id
    return (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__agency_id=target,
            memberships__role="leader",
        )
        .distinct()
        .order_by("full_name")
    )


def _may_review(user, doc) -> bool:
    if doc.state == OutState.UNIT_REVIEW:
        unit = doc.drafting_unit_id
    elif doc.state == OutState.LEADER_REVIEW:
        unit = doc.agency_id
    else:
        return False
    if doc.reviewer_id is not None and not user.is_superuser:
        return doc.reviewer_id == user.pk
    return services.has_role(user, unit, ("leader",))


def allowed_actions(user, doc) -> list[str]:
    drafter = doc.created_by_id == user.pk or user.is_superuser
    clerk = services.has_role(user, doc.agency_id, ("clerk",))
    leader = services.has_role(user, doc.agency_id, ("leader",))
    state = doc.state
    names = []
    if state in (OutState.DRAFT, OutState.RETURNED) and drafter:
        names.append("send_review")
    if state == OutState.UNIT_REVIEW and _may_review(user, doc):
        names += ["approve_review", "return"]
    if state == OutState.LEADER_REVIEW and _may_review(user, doc) and leader:
        names += ["sign", "return"]
    if state == OutState.APPROVED and clerk:
        names.append("issue")
    if state == OutState.ISSUED:
        if (
            clerk
            and doc.recipients.filter(
                state__in=[Recipient.State.PENDING, Recipient.State.FAILED]
            ).exists()
        ):
            names.append("dispatch")
        if clerk or leader:
            names += ["correct", "recall"]
    return names


def _form(name, doc, data=None, files=None):
    initial = {"version": doc.version}
    if name == "send_review":
        return forms.SendForReviewForm(
            data, initial=initial, reviewers=_reviewers(doc), prefix=name
        )
    if name == "approve_review":
        return forms.NoteForm(data, initial=initial, prefix=name)
    if name == "return":
        return forms.ReturnForm(data, initial=initial, prefix=name)
    if name == "sign":
        initial.update(authority=doc.authority, signer_position=doc.signer_position)
        return forms.SignForm(data, initial=initial, prefix=name)
    if name == "correct":
        return forms.CorrectForm(data, files, initial=initial, prefix=name)
    if name == "recall":
        return forms.RecallForm(data, initial=initial, prefix=name)
    return forms.VersionForm(data, initial=initial, prefix=name)


def _context(request, doc, bound=None) -> dict:
    user = request.user
    bound_name, bound_form = bound or (None, None)
    names = allowed_actions(user, doc)
    if bound_name and bound_name not in names and bound_name != "paper_sent":
        names.insert(0, bound_name)
    action_forms = [
        {
            "name": n,
            "title": ACTIONS[n],
            "form": bound_form if n == bound_name else _form(n, doc),
            "url": reverse(f"documents:outgoing_{n}", args=[doc.pk]),
            "open": n == bound_name
            or (not bound_name and n in ("send_review", "approve_review", "sign", "issue")),
            "danger": n in ("recall", "return"),
        }
        for n in names
    ]
    files = list(doc.files.select_related("signature_report").order_by("id"))
    drafts = sorted(
        (f for f in files if f.role == DocumentFile.Role.DRAFT), key=lambda f: -f.file_version
    )
    clerk = services.has_role(user, doc.agency_id, ("clerk",))
    return {
        "doc": doc,
        "drafts": drafts,
        "signed_files": [f for f in files if f.role == DocumentFile.Role.SIGNED],
        "issued_files": [f for f in files if f.role == DocumentFile.Role.ISSUED],
        "attachments": [f for f in files if f.role == DocumentFile.Role.ATTACHMENT],
        "recipients": list(doc.recipients.select_related("agency", "incoming")),
        "amendments": list(doc.amendments.select_related("replacement")),
        "answers": list(doc.answers.all()),
        "action_forms": action_forms,
        "events": describe_events(selectors.timeline(doc)),
        "may_edit": doc.state in (OutState.DRAFT, OutState.RETURNED)
        and (doc.created_by_id == user.pk or user.is_superuser),
        "may_replace": doc.state == OutState.ISSUED
        and bool(drafting_units(user).exists())
        and (services.has_role(user, doc.agency_id, ("leader", "specialist")) or user.is_superuser),
        "is_clerk": clerk,
    }


@officer_required
def detail(request, pk: int):
    doc = outgoing_or_404(request.user, pk)
    return render(request, "documents/outgoing_detail.html", _context(request, doc))


@officer_required
@require_POST
def act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    user = request.user
    doc = outgoing_or_404(user, pk)
    target = reverse("documents:outgoing", args=[doc.pk])
    if action == "paper_sent":
        form = forms.PaperSentForm(request.POST)
    else:
        form = _form(action, doc, request.POST, request.FILES)

    def do(cd):
        v = cd.get("version")
        if action == "send_review":
            services.send_for_review(
                doc, by=user, reviewer=cd["reviewer"], note=cd["note"], expected_version=v
            )
            return _("Đã trình duyệt dự thảo.")
        if action == "approve_review":
            services.approve_review(doc, by=user, note=cd["note"], expected_version=v)
            return _("Đã duyệt, trình lãnh đạo cơ quan ký.")
        if action == "return":
            services.return_draft(doc, cd["comments"], by=user, expected_version=v)
            return _("Đã trả lại dự thảo cho người soạn thảo.")
        if action == "sign":
            d = services.approve_and_sign(
                doc,
                by=user,
                signer_position=cd["signer_position"],
                authority=cd["authority"],
                expected_version=v,
            )
            if d.files.filter(
                role=DocumentFile.Role.SIGNED, signature_report__isnull=False
            ).exists():
                return _("Đã phê duyệt và ký số; văn bản chuyển văn thư cấp số, ban hành.")
            return _("Đã phê duyệt (không ký số: chưa có khóa); văn bản chuyển văn thư ban hành.")
        if action == "issue":
            d = services.issue(doc, by=user, expected_version=v)
            return _("Đã ban hành văn bản số %(ns)s ngày %(d)s và phát hành đến nơi nhận.") % {
                "ns": d.number_symbol,
                "d": d.issued_date.strftime("%d/%m/%Y"),
            }
        if action == "dispatch":
            counts = services.dispatch(doc, by=user)
            return _(
                "Đã gửi: %(i)s cơ quan trong hệ thống, %(e)s thư điện tử, %(p)s bản giấy chờ chuyển."
            ) % {"i": counts["internal"], "e": counts["email"], "p": counts["paper"]}
        if action == "paper_sent":
            try:
                r = doc.recipients.get(pk=cd["recipient"])
            except Recipient.DoesNotExist as exc:
                raise Http404 from exc
            services.mark_paper_sent(r, by=user)
            return _("Đã ghi nhận chuyển bản giấy đến %(name)s.") % {"name": r.name}
        if action == "correct":
            services.correct(doc, cd["note"], by=user, file=cd["file"], expected_version=v)
            return _("Đã đính chính; các nơi nhận trong hệ thống đã được thông báo.")
        services.recall(doc, cd["reason"], by=user, expected_version=v)
        return _("Đã thu hồi văn bản; bản ở các nơi nhận trong hệ thống đã bị hủy.")

    response = run_action(request, form, do, target)
    if response is not None:
        return response
    doc = outgoing_or_404(user, pk)
    return render(
        request,
        "documents/outgoing_detail.html",
        _context(request, doc, bound=(action, form)),
        status=400,
    )

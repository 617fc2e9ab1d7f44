"""Satisfaction ratings (đánh giá mức độ hài lòng): the only code that records them.

After the result is returned, the applicant who owns the dossier on the portal rates the
service once, on every active criterion (1–5), and may add a comment (NĐ 61/2018 — now
NĐ 118/2025 — asks one-stop units to collect the citizens' assessment; the criteria are
configurable data, see ``models.RatingCriterion``). The monthly fact table ``RatingStat`` is
updated in the same transaction, and the audit log gets ``dossier.rated``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import audit
from egov.dossiers.models import Dossier, State
from egov.portal.models import (
    SCORE_MAX,
    SCORE_MIN,
    Rating,
    RatingCriterion,
    RatingScore,
    RatingStat,
)

#: the criteria used when none were ever configured (the same as migration 0002 seeds)
DEFAULT_CRITERIA = [
    ("tiep-don", "Thái độ tiếp đón, giao tiếp của cán bộ, công chức", 1),
    ("huong-dan", "Hướng dẫn lập hồ sơ đầy đủ, rõ ràng, dễ hiểu", 2),
    ("thoi-gian", "Thời gian giải quyết hồ sơ đúng hẹn", 3),
    ("ket-qua", "Kết quả giải quyết đúng quy định", 4),
    ("hai-long-chung", "Mức độ hài lòng chung", 5),
]


def active_criteria() -> list[RatingCriterion]:
    """The active criteria. An empty table (never configured, e.g. a database flushed after
    its migrations) gets the default criteria, so the survey always has questions."""
    if not RatingCriterion.objects.exists():
        for code, name, order in DEFAULT_CRITERIA:
            RatingCriterion.objects.get_or_create(
                code=code, defaults={"name": name, "order": order}
            )
    return list(RatingCriterion.objects.filter(is_active=True).order_by("order", "id"))


def can_rate(dossier: Dossier, user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and dossier.citizen_id == user.pk
        and dossier.state == State.RETURNED
        and not Rating.objects.filter(dossier=dossier).exists()
    )


def _bump(agency_id: int, month, criterion_code: str, score: int = 0) -> None:
    key = {"agency_id": agency_id, "month": month, "criterion_code": criterion_code}
    row = RatingStat.objects.filter(**key).only("pk").first()
    if row is None:
        try:
            with transaction.atomic():
                row = RatingStat.objects.create(**key)
        except IntegrityError:
            row = RatingStat.objects.get(**key)
    RatingStat.objects.filter(pk=row.pk).update(
        count=F("count") + 1, score_sum=F("score_sum") + score
    )


@transaction.atomic
def rate(dossier: Dossier, *, by, scores: Mapping[str, int], comment: str = "") -> Rating:
    """Record the rating of ``dossier`` by its owner ``by``; ``scores`` maps criterion codes to
    1–5. Refused before the result is returned, for someone else's dossier, and a second time."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if by is None or dossier.citizen_id != by.pk:
        raise ValidationError(_("Bạn chỉ đánh giá được hồ sơ của mình."), code="forbidden")
    if dossier.state != State.RETURNED:
        raise ValidationError(
            _("Chỉ đánh giá được sau khi hồ sơ đã trả kết quả."), code="not_returned"
        )
    if Rating.objects.filter(dossier=dossier).exists():
        raise ValidationError(_("Hồ sơ này đã được đánh giá."), code="already_rated")
    criteria = active_criteria()
    if not criteria:
        raise ValidationError(_("Chưa có tiêu chí đánh giá."), code="no_criteria")
    clean: dict[RatingCriterion, int] = {}
    errors = {}
    for criterion in criteria:
        try:
            value = int(scores.get(criterion.code))
        except (TypeError, ValueError):
            value = None
        if value is None or not SCORE_MIN <= value <= SCORE_MAX:
            errors[criterion.code] = _("Chọn mức đánh giá từ %(a)s đến %(b)s.") % {
                "a": SCORE_MIN,
                "b": SCORE_MAX,
            }
        else:
            clean[criterion] = value
    if errors:
        raise ValidationError(errors)
    comment = (comment or "").strip()[:2000]
    rating = Rating.objects.create(
        dossier=dossier, citizen=by, agency_id=dossier.agency_id, comment=comment
    )
    RatingScore.objects.bulk_create(
        [RatingScore(rating=rating, criterion=c, score=v) for c, v in clean.items()]
    )
    month = timezone.localdate().replace(day=1)
    _bump(dossier.agency_id, month, "")
    for criterion, value in clean.items():
        _bump(dossier.agency_id, month, criterion.code, value)
    average = round(sum(clean.values()) / len(clean), 2)
    audit.record(
        "dossier.rated",
        actor=by,
        agency=dossier.agency_id,
        obj=dossier,
        data={
            "code": dossier.code,
            "scores": {c.code: v for c, v in clean.items()},
            "average": average,
            "comment": bool(comment),
        },
    )
    return rating

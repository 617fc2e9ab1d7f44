"""Satisfaction ratings: only after the result is returned, once, by the owner; they feed the
monthly fact table, the public statistics and the audit log."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from egov.core.models import AuditEvent
from egov.portal import services_rating
from egov.portal.models import Rating, RatingCriterion, RatingStat
from egov.portal.selectors import ratings_summary
from egov.portal.tests.portal_fixtures import *  # noqa: F403  (fixtures)
from egov.portal.tests.portal_fixtures import returned, to_result_ready

pytestmark = pytest.mark.django_db


def all_scores(value: int = 5) -> dict[str, str]:
    return {f"c_{c.code}": str(value) for c in RatingCriterion.objects.filter(is_active=True)}


def test_criteria_are_seeded_by_the_migration():
    names = list(RatingCriterion.objects.values_list("name", flat=True))
    assert len(names) == 5
    assert any("tiếp đón" in n for n in names) and any("hài lòng chung" in n for n in names)


def test_no_rating_before_the_result_is_returned(client, world, receive, citizen):
    d = receive(citizen=citizen)
    to_result_ready(world, d)
    client.force_login(citizen)
    html = client.get(reverse("portal:my_dossier", args=[d.pk])).content.decode()
    assert 'data-testid="rating-submit"' not in html
    resp = client.post(reverse("portal:rate", args=[d.pk]), {**all_scores(), "comment": "Tốt"})
    assert resp.status_code == 302
    assert not Rating.objects.exists()
    with pytest.raises(ValidationError):
        services_rating.rate(d, by=citizen, scores={c: 5 for c in ["tiep-don"]})


def test_rate_once_after_return(client, world, receive, citizen):
    d = returned(world, receive(citizen=citizen))
    client.force_login(citizen)
    url = reverse("portal:my_dossier", args=[d.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="rating-submit"' in html
    assert "<legend>Thái độ tiếp đón, giao tiếp của cán bộ, công chức</legend>" in html
    scores = all_scores(4)
    scores["c_thoi-gian"] = "2"
    resp = client.post(
        reverse("portal:rate", args=[d.pk]), {**scores, "comment": "Cán bộ nhiệt tình"}
    )
    assert resp.status_code == 302
    rating = Rating.objects.get(dossier=d)
    assert rating.citizen == citizen and rating.agency_id == d.agency_id
    assert rating.comment == "Cán bộ nhiệt tình"
    assert {s.criterion.code: s.score for s in rating.scores.all()}["thoi-gian"] == 2
    event = AuditEvent.objects.get(action="dossier.rated")
    assert event.object_id == str(d.pk) and event.data["average"] == round((4 * 4 + 2) / 5, 2)
    html = client.get(url).content.decode()
    assert 'data-testid="my-rating"' in html and 'data-testid="rating-submit"' not in html
    # a second rating is refused
    client.post(reverse("portal:rate", args=[d.pk]), all_scores(1))
    assert Rating.objects.count() == 1
    with pytest.raises(ValidationError):
        services_rating.rate(d, by=citizen, scores={})


def test_every_criterion_must_be_scored_within_1_to_5(client, world, receive, citizen):
    d = returned(world, receive(citizen=citizen))
    client.force_login(citizen)
    scores = all_scores(5)
    scores.pop("c_ket-qua")
    resp = client.post(reverse("portal:rate", args=[d.pk]), scores)
    assert resp.status_code == 400 and "Chọn một mức đánh giá" in resp.content.decode()
    with pytest.raises(ValidationError):
        services_rating.rate(
            d, by=citizen, scores={c.code: 6 for c in services_rating.active_criteria()}
        )
    assert not Rating.objects.exists()


def test_only_the_owner_may_rate(world, receive, citizen, other_citizen):
    d = returned(world, receive(citizen=citizen))
    with pytest.raises(ValidationError):
        services_rating.rate(
            d, by=other_citizen, scores={c.code: 5 for c in services_rating.active_criteria()}
        )


def test_ratings_feed_the_fact_table_and_the_public_statistics(client, world, receive, citizen):
    for value in (5, 3):
        d = returned(world, receive(citizen=citizen))
        services_rating.rate(
            d, by=citizen, scores={c.code: value for c in services_rating.active_criteria()}
        )
    month = timezone.localdate().replace(day=1)
    whole = RatingStat.objects.get(agency=world.commune, month=month, criterion_code="")
    assert whole.count == 2
    general = RatingStat.objects.get(
        agency=world.commune, month=month, criterion_code="hai-long-chung"
    )
    assert (general.count, general.score_sum) == (2, 8)
    summary = ratings_summary([world.commune.pk], month, month)
    assert summary.count == 2 and summary.average == 4.0
    assert {c.code: c.average for c in summary.criteria}["tiep-don"] == 4.0
    assert ratings_summary([world.other.pk], month, month).count == 0
    resp = client.get(
        reverse("portal:stats"), {"agency": world.commune.pk, "year": str(month.year)}
    )
    html = resp.content.decode()
    assert resp.context["ratings"].count == 2
    assert "2 lượt đánh giá" in html and "4.0/5" in html.replace(",", ".")


def test_default_criteria_when_none_were_ever_configured(db):
    from egov.portal.models import RatingCriterion
    from egov.portal.services_rating import DEFAULT_CRITERIA, active_criteria

    RatingCriterion.objects.all().delete()  # e.g. a database flushed after its migrations
    assert [c.code for c in active_criteria()] == [code for code, _n, _o in DEFAULT_CRITERIA]
    RatingCriterion.objects.filter(code="ket-qua").update(is_active=False)
    assert "ket-qua" not in [c.code for c in active_criteria()]  # configured: not re-seeded
    assert RatingCriterion.objects.count() == len(DEFAULT_CRITERIA)

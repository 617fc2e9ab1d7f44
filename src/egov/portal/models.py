"""Portal records: confirmation codes of citizen registration, and satisfaction ratings.

Ratings follow the satisfaction survey of the one-stop regulation (NĐ 61/2018, now NĐ 118/2025:
the citizen rates the service after the result is returned). The exact survey criteria are not
confirmed (STANDARDS.md has no text for them), so they are data: ``RatingCriterion`` rows,
seeded by migration 0002 and editable in the admin. Statistics read ``RatingStat``, a fact
table kept up to date by ``services_rating.rate`` (never an aggregate over the ratings on page
load, ARCHITECTURE rule 9).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

#: the score scale of every criterion: 1 (rất không hài lòng) … 5 (rất hài lòng)
SCORE_MIN, SCORE_MAX = 1, 5


class ConfirmationCode(models.Model):
    """A 6-digit code sent by email or SMS to prove that the address belongs to the person who
    registers. Only an HMAC of the code is stored; it expires and allows a few tries."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Thư điện tử")
        SMS = "sms", _("Tin nhắn SMS")

    purpose = models.CharField(max_length=20, default="register")
    channel = models.CharField(_("kênh"), max_length=5, choices=Channel.choices)
    #: the normalised email (lower case) or mobile number (0xxxxxxxxx)
    address = models.CharField(_("địa chỉ nhận mã"), max_length=254)
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    code_hash = models.CharField(max_length=64)
    sends = models.PositiveSmallIntegerField(default=0)
    tries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác nhận")
        verbose_name_plural = _("mã xác nhận")
        indexes = [models.Index(fields=["address", "created_at"], name="portal_code_address")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address}"


class RatingCriterion(models.Model):
    """One question of the satisfaction survey (tiêu chí đánh giá mức độ hài lòng)."""

    code = models.SlugField(_("mã tiêu chí"), max_length=40, unique=True)
    name = models.CharField(_("tiêu chí"), max_length=255)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("tiêu chí đánh giá")
        verbose_name_plural = _("tiêu chí đánh giá")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    """The citizen's rating of one returned dossier (at most one per dossier)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="rating",
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đánh giá"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="ratings",
    )
    #: the deciding agency of the dossier, copied for the statistics
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan giải quyết"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("ý kiến"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("đánh giá lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        ordering = ["-id"]
        indexes = [models.Index(fields=["agency", "created_at"], name="portal_rating_agency")]

    def __str__(self) -> str:
        return f"{self.dossier} ({self.created_at:%d/%m/%Y})"


class RatingScore(models.Model):
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RatingCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(
        _("điểm"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )

    class Meta:
        verbose_name = _("điểm đánh giá")
        verbose_name_plural = _("điểm đánh giá")
        constraints = [
            models.UniqueConstraint(fields=["rating", "criterion"], name="portal_score_unique"),
            models.CheckConstraint(
                condition=models.Q(score__gte=SCORE_MIN) & models.Q(score__lte=SCORE_MAX),
                name="portal_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class RatingStat(models.Model):
    """Fact table of the ratings, one row per (agency, month, criterion); ``criterion_code`` ""
    counts whole ratings (``count`` = number of ratings, ``score_sum`` unused)."""

    agency = models.ForeignKey("organizations.Agency", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="first day of the month")
    criterion_code = models.CharField(max_length=40, blank=True, default="")
    count = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("thống kê đánh giá theo tháng")
        verbose_name_plural = _("thống kê đánh giá theo tháng")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "month", "criterion_code"], name="portal_rating_stat_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%m/%Y} {self.criterion_code or '*'}: {self.count}"

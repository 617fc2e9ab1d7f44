"""The delivery log: one row per message to one recipient on one channel.

A row is written in the transaction of the change it announces, before anything is sent, so a
message is never lost; ``notifications.tasks.deliver`` then sends it and records every attempt
(officers see state, attempts and the last error at /notifications/ and can re-send)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.accounts.scoping import ScopedQuerySet


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Lỗi, sẽ thử lại")
    GAVE_UP = "gave_up", _("Không gửi được")


class NotificationQuerySet(ScopedQuerySet):
    agency_field = "agency_id"

    def for_object(self, object_type: str, object_id) -> NotificationQuerySet:
        return self.filter(object_type=object_type, object_id=str(object_id))


class Notification(models.Model):
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("người nhận"), max_length=254)
    template = models.CharField(_("mẫu thông báo"), max_length=40)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    #: a legal form to attach to the email at delivery, e.g. "dossier-form:04"
    attachment = models.CharField(_("tệp đính kèm"), max_length=40, blank=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=100, blank=True)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, blank=True)
    #: the agency that answers to the citizen (the dossier's one-stop unit): scopes the log
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("trạng thái"),
        max_length=8,
        choices=DeliveryState.choices,
        default=DeliveryState.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    provider = models.CharField(_("nhà cung cấp"), max_length=40, blank=True)
    provider_message_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=200, blank=True)
    #: the same event delivered twice (a retried job, a replayed hook) creates no second row
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("lần gửi tiếp"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("nhật ký thông báo")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["agency", "id"], name="notif_agency_id"),
            models.Index(fields=["state", "id"], name="notif_state_id"),
            models.Index(fields=["object_type", "object_id", "id"], name="notif_object"),
            models.Index(fields=["dossier_code", "id"], name="notif_dossier_code"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.template})"

    @property
    def can_resend(self) -> bool:
        return self.state in (DeliveryState.FAILED, DeliveryState.GAVE_UP)

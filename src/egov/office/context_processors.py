"""Navigation of the officer UI: the modules that exist, filtered by the user's roles."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, icon, roles that see it; None = every officer)
MODULES = [
    ("office:home", _("Trang chủ"), "house", None),
    ("dossiers:inbox", _("Hồ sơ cần xử lý"), "inbox", None),
    ("dossiers:intake", _("Tiếp nhận hồ sơ"), "box-arrow-in-down", {"onestop"}),
    ("dossiers:statistics", _("Thống kê"), "bar-chart", {"leader", "admin", "onestop"}),
    ("documents:inbox", _("Văn bản"), "file-earmark-text", None),
    ("signing:verify", _("Kiểm tra chữ ký số"), "patch-check", None),
    ("procedures:catalog", _("Thủ tục hành chính"), "list-check", None),
    ("office:agencies", _("Cơ quan, đơn vị"), "diagram-3", None),
    ("office:bridge_points", _("Điểm cầu"), "camera-video", None),
    ("office:calendar", _("Lịch làm việc"), "calendar3", None),
    ("office:audit", _("Nhật ký"), "journal-check", {"admin", "leader"}),
    ("notifications:log", _("Nhật ký thông báo"), "envelope", {"admin", "onestop"}),
    ("office:jobs", _("Tác vụ nền"), "gear", {"admin"}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_officer", False):
        return {}
    roles = getattr(request, "_egov_roles", None)
    if roles is None:
        roles = user.roles()
        request._egov_roles = roles
    items = []
    for name, label, icon, allowed in MODULES:
        if allowed is not None and not (roles & allowed or user.is_superuser):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "icon": icon, "active": request.path == url})
    return {"nav_items": items, "user_roles": roles}

"""Navigation of the officer UI: the modules that exist, filtered by the user's roles. The
daily work is in the bar; tools and administration are in the "Khác" menu."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, icon, roles that see it; None = every officer)
MODULES = [  # the bar
    ("office:home", _("Trang chủ"), "house", None),
    ("dossiers:inbox", _("Hồ sơ cần xử lý"), "inbox", None),
    ("dossiers:intake", _("Tiếp nhận hồ sơ"), "box-arrow-in-down", {"onestop"}),
    ("dossiers:statistics", _("Thống kê"), "bar-chart", {"leader", "admin", "onestop"}),
    ("documents:inbox", _("Văn bản"), "file-earmark-text", None),
    ("procedures:catalog", _("Thủ tục hành chính"), "list-check", None),
]
MORE = [  # the "Khác" menu
    ("signing:verify", _("Kiểm tra chữ ký số"), "patch-check", None),
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

    def visible(modules):
        items = []
        for name, label, icon, allowed in modules:
            if allowed is not None and not (roles & allowed or user.is_superuser):
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            items.append({"url": url, "label": label, "icon": icon, "active": request.path == url})
        return items

    more = visible(MORE)
    return {
        "nav_items": visible(MODULES),
        "nav_more": more,
        "nav_more_active": any(item["active"] for item in more),
        "user_roles": roles,
    }

"""Admin of accounts and roles. Creating officers, granting and revoking roles and unlocking go
through ``accounts.services`` so that each is validated and written to the audit log; roles
are revoked (kept, inactive), never deleted. The TOTP secret is never shown."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils.translation import gettext_lazy as _

from egov.accounts import services
from egov.accounts.models import Membership, TOTPDevice, User


class OfficerCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "email", "position")


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("agency", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("agency",)
    extra = 0
    can_delete = False  # revoke (untick "đang hiệu lực") so that history stays
    verbose_name_plural = _("vai trò tại các cơ quan")


class TOTPDeviceInline(admin.StackedInline):
    model = TOTPDevice
    fields = ("confirmed", "created_at")  # never the secret
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = OfficerCreationForm
    list_display = (
        "username",
        "full_name",
        "kind",
        "email",
        "phone",
        "is_active",
        "locked",
        "two_factor",
    )
    list_filter = ("kind", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "full_name", "email", "phone", "citizen_id")
    list_select_related = ("totp_device",)
    ordering = ("username",)
    actions = ["unlock"]
    readonly_fields = (
        "kind",
        "oidc_subject",
        "failed_logins",
        "locked_until",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("username", "password", "kind")}),
        (
            _("Thông tin cá nhân"),
            {"fields": ("full_name", "position", "email", "phone", "citizen_id", "address")},
        ),
        (
            _("Đăng nhập"),
            {
                "fields": (
                    "oidc_subject",
                    "failed_logins",
                    "locked_until",
                    "last_login",
                    "date_joined",
                )
            },
        ),
        (
            _("Quyền quản trị Django"),
            {
                "classes": ("collapse",),
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
            },
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "description": _(
                    "Tạo tài khoản cán bộ; giao vai trò tại cơ quan sau khi lưu. Người dân tự đăng ký trên cổng."
                ),
                "fields": (
                    "username",
                    "full_name",
                    "email",
                    "position",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        return [MembershipInline, TOTPDeviceInline] if obj.is_officer else []

    @admin.display(boolean=True, description=_("đang khóa"))
    def locked(self, obj: User) -> bool:
        return obj.is_locked()

    @admin.display(boolean=True, description=_("xác thực hai lớp"))
    def two_factor(self, obj: User) -> bool:
        device = getattr(obj, "totp_device", None)
        return bool(device and device.confirmed)

    @admin.action(description=_("Mở khóa các tài khoản đã chọn"))
    def unlock(self, request, queryset):
        count = 0
        for user in queryset:
            if user.locked_until or user.failed_logins:
                services.unlock(user, by=request.user)
                count += 1
        messages.success(request, _("Đã mở khóa %(n)d tài khoản.") % {"n": count})

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        password = (
            form.cleaned_data.get("password1")
            if form.cleaned_data.get("set_usable_password")
            else None
        )
        created = services.create_officer(
            obj.username,
            password,
            full_name=obj.full_name,
            email=obj.email,
            position=obj.position,
            by=request.user,
        )
        obj.pk, obj.password = created.pk, created.password

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated (bỏ chọn "đang hoạt động"), never deleted: the audit log and
        # the records they handled keep pointing at them.
        return False

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        _save_memberships(request, form.instance, formset)


def _save_memberships(request, user: User, formset) -> None:
    """Grant and revoke through the services (audit), in place of ``formset.save()``."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for f in formset.forms:
        if not f.has_changed() or not f.cleaned_data:
            continue
        agency, role, active = (
            f.cleaned_data["agency"],
            f.cleaned_data["role"],
            f.cleaned_data.get("is_active", True),
        )
        if f.instance.pk is None:
            if active:
                formset.new_objects.append(services.grant_role(user, agency, role, by=request.user))
            continue
        old = Membership.objects.get(pk=f.instance.pk)
        if (old.agency_id, old.role) != (agency.pk, role):
            if old.is_active:
                services.revoke_role(old, by=request.user)
            if active:
                formset.new_objects.append(services.grant_role(user, agency, role, by=request.user))
        elif old.is_active != active:
            if active:
                services.grant_role(user, agency, role, by=request.user)
            else:
                services.revoke_role(old, by=request.user)
            formset.changed_objects.append((old, ["is_active"]))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "role", "is_active", "created_at")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__full_name", "agency__name", "agency__code")
    list_select_related = ("user", "agency")
    autocomplete_fields = ("user", "agency")
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # An existing role is only switched on or off; another agency or role is a new grant.
        return ("user", "agency", "role", "created_at") if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(kind=User.Kind.OFFICER)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.pk = services.grant_role(obj.user, obj.agency, obj.role, by=request.user).pk
        elif "is_active" in form.changed_data:
            if obj.is_active:
                services.grant_role(obj.user, obj.agency, obj.role, by=request.user)
            else:
                services.revoke_role(obj, by=request.user)

    @admin.action(description=_("Thu hồi các vai trò đã chọn"))
    def revoke(self, request, queryset):
        memberships = list(queryset.filter(is_active=True))
        for membership in memberships:
            services.revoke_role(membership, by=request.user)
        messages.success(request, _("Đã thu hồi %(n)d vai trò.") % {"n": len(memberships)})

    def has_delete_permission(self, request, obj=None):
        return False

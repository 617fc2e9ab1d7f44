"""Load a demo preset idempotently, through the services (so the audit log records it all).

Everything is get-or-create: agencies by code, bridge points by (agency, name), officers by
user name, citizens by phone/e-mail/ID number, roles by (user, agency, role) whether active
or not. Existing rows are never changed, so loading twice creates nothing ("0 created"), and
a role deactivated by a merge is not brought back. Reforms (merges, dissolutions) of any
preset run once all the agencies they name exist, and only once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from types import ModuleType
from urllib.parse import quote

import pyotp
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from egov.accounts import services as account_services
from egov.accounts.models import Membership, Role, TOTPDevice, User
from egov.core import audit
from egov.demo.demo_dossiers import load_demo_dossiers
from egov.demo.presets import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    all_presets,
    get_preset,
    procedures_catalog,
)
from egov.organizations import services as org_services
from egov.organizations.models import Agency, BridgePoint

COUNTED = (
    "agencies",
    "bridge_points",
    "officers",
    "citizens",
    "roles",
    "totp_devices",
    "merges",
    "procedures",
    "dossiers",
)


@dataclass
class Login:
    username: str
    role: str
    agency: str
    password: str
    totp_secret: str = ""


@dataclass
class LoadResult:
    preset: str
    title: str
    created: Counter = field(default_factory=Counter)
    logins: list[Login] = field(default_factory=list)
    reforms: list[str] = field(default_factory=list)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        parts = ", ".join(
            f"{name.replace('_', ' ')} {self.created.get(name, 0)}" for name in COUNTED
        )
        return f"{self.preset}: {self.total_created} created ({parts})"


class PresetLoader:
    def __init__(self, result: LoadResult, dossiers: int = 300):
        self.result = result
        self.dossiers = dossiers

    # --- agencies and bridge points ----------------------------------------------------------

    def agency(self, data: dict) -> Agency:
        existing = Agency.objects.filter(code=data["code"]).first()
        if existing is not None:
            return existing
        fields = {k: v for k, v in data.items() if k != "parent"}
        parent = Agency.objects.get(code=data["parent"]) if data.get("parent") else None
        agency = org_services.create_agency(parent=parent, **fields)
        self.result.created["agencies"] += 1
        return agency

    def bridge_point(self, data: dict) -> BridgePoint | None:
        agency = Agency.objects.get(code=data["agency"])
        name = data["name"]
        existing = BridgePoint.objects.filter(agency=agency, name=name).first()
        if existing is not None:
            return existing
        if agency.successor_id or agency.effective_to:
            # The agency has ended: a merge moved its points to the successor (renamed
            # "name (old agency)" on a clash). Never add equipment to an ended agency.
            return None
        fields = {k: v for k, v in data.items() if k != "agency"}
        point = org_services.create_bridge_point(agency=agency, **fields)
        self.result.created["bridge_points"] += 1
        return point

    # --- accounts ----------------------------------------------------------------------------

    def officer(self, data: dict) -> User:
        user = User.objects.filter(username=data["username"]).first()
        if user is None:
            user = account_services.create_officer(
                data["username"],
                DEMO_PASSWORD,
                full_name=data["full_name"],
                email=data.get("email", ""),
                position=data.get("position", ""),
            )
            self.result.created["officers"] += 1
        for code, role in data.get("roles", []):
            agency = Agency.objects.get(code=code)
            if not Membership.objects.filter(user=user, agency=agency, role=role).exists():
                account_services.grant_role(user, agency, role)
                self.result.created["roles"] += 1
        if data.get("totp") and not TOTPDevice.objects.filter(user=user).exists():
            account_services.confirm_totp_device(user, DEMO_TOTP_SECRET)
            audit.record("account.totp_enrolled", obj=user, data={"demo_secret": True})
            self.result.created["totp_devices"] += 1
        return user

    def citizen(self, data: dict) -> User:
        lookup = Q(phone=data["phone"]) | Q(citizen_id=data["citizen_id"])
        if data.get("email"):
            lookup |= Q(kind=User.Kind.CITIZEN, email__iexact=data["email"])
        user = User.objects.filter(lookup).first()
        if user is None:
            user = account_services.create_citizen(password=DEMO_PASSWORD, **data)
            self.result.created["citizens"] += 1
        return user

    # --- reforms -----------------------------------------------------------------------------

    def reform(self, data: dict) -> bool:
        """Run one reform if all the agencies it names exist and it did not run yet."""
        codes = {c: Agency.objects.filter(code=c).first() for c in data["requires"]}
        if any(a is None for a in codes.values()):
            return False
        date: dt.date = data["effective_date"]
        ran = False
        for merge in data.get("merges", []):
            target = Agency.objects.get(code=merge["target"])
            sources = list(
                Agency.objects.filter(code__in=merge["sources"], successor__isnull=True).active(
                    date
                )
            )
            if not sources:
                continue
            org_services.merge_agencies(sources, target, date, data["decision"])
            self.result.created["merges"] += 1
            ran = True
        dissolve = data.get("dissolve")
        if dissolve:
            agency = Agency.objects.get(code=dissolve["agency"])
            if agency.is_active(date) and agency.successor_id is None:
                org_services.dissolve_agency(
                    agency,
                    date,
                    Agency.objects.get(code=dissolve["new_parent"]),
                    data["decision"],
                    successor=Agency.objects.get(code=dissolve["successor"])
                    if dissolve.get("successor")
                    else None,
                )
                self.result.created["merges"] += 1
                ran = True
        if ran:
            self.result.reforms.append(data["name"])
        return ran

    # --- the whole preset --------------------------------------------------------------------

    def load(self, preset: ModuleType) -> None:
        for data in preset.AGENCIES:
            self.agency(data)
        for data in preset.BRIDGE_POINTS:
            self.bridge_point(data)
        for data in preset.OFFICERS:
            self.officer(data)
        for data in preset.CITIZENS:
            self.citizen(data)
        for other in all_presets():
            for reform in getattr(other, "REFORMS", []):
                self.reform(reform)
        # The procedure catalog is shared by every preset (existing procedures are skipped).
        self.result.created["procedures"] += procedures_catalog.load()
        procedures_catalog.load_online_forms()
        # About a month of one-stop work replayed through the real services (idempotent).
        if self.dossiers:
            self.result.created["dossiers"] += load_demo_dossiers(preset.NAME, count=self.dossiers)


def logins_for(preset: ModuleType) -> list[Login]:
    """The login table of a preset, from the database as it is now (after any merge)."""
    logins: list[Login] = []
    role_labels = dict(Role.choices)
    for data in preset.OFFICERS:
        user = User.objects.filter(username=data["username"]).first()
        if user is None:
            continue
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        secret = device.secret if device and device.secret == DEMO_TOTP_SECRET else ""
        memberships = (
            Membership.objects.filter(user=user, is_active=True)
            .select_related("agency")
            .order_by("agency__path", "role")
        )
        rows = [(str(role_labels.get(m.role, m.role)), m.agency.name) for m in memberships] or [
            ("—", "—")
        ]
        for role, agency in rows:
            logins.append(Login(user.username, role, agency, DEMO_PASSWORD, secret))
    logins += [
        Login(data["phone"], "Người dân", data.get("email", "—"), DEMO_PASSWORD)
        for data in preset.CITIZENS
        if User.objects.filter(phone=data["phone"], kind=User.Kind.CITIZEN).exists()
    ]
    return logins


def load(name: str, *, dossiers: int = 300) -> LoadResult:
    """Load preset ``name`` in one transaction; returns what was created and the logins.
    ``dossiers``: how many demo dossiers to replay (0 for none)."""
    preset = get_preset(name)
    result = LoadResult(preset=preset.NAME, title=preset.TITLE)
    with transaction.atomic():
        PresetLoader(result, dossiers=dossiers).load(preset)
    result.logins = logins_for(preset)
    return result


def otpauth_uri(username: str, secret: str = DEMO_TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=settings.EGOV_TOTP_ISSUER)


def format_logins(logins: list[Login], indent: str = "    ") -> str:
    """A plain-text table (no colours, no tabs) that a terminal, a Makefile or a shell script
    can print as it is."""
    header = Login("Tên đăng nhập", "Vai trò", "Cơ quan / email", "Mật khẩu")
    rows = [header, *logins]
    widths = [max(len(getattr(r, f)) for r in rows) for f in ("username", "role", "agency")]

    def line(r: Login) -> str:
        cells = [
            r.username.ljust(widths[0]),
            r.role.ljust(widths[1]),
            r.agency.ljust(widths[2]),
            r.password,
        ]
        return (indent + "  ".join(cells)).rstrip()

    out = [
        line(header),
        indent + "-" * (sum(widths) + 6 + len(header.password)),
        *map(line, logins),
    ]
    for username in dict.fromkeys(r.username for r in logins if r.totp_secret):
        out += [
            "",
            f"{indent}{username}: xác thực hai lớp (TOTP), khóa bí mật {DEMO_TOTP_SECRET}",
            f"{indent}  {otpauth_uri(username)}",
            f"{indent}  mã hiện tại: python manage.py demo_totp {quote(username)}",
        ]
    return "\n".join(out)

"""Benchmarks of the one-stop shop on the province-sized dataset of ``gen_dossiers.py``.

    .venv/bin/python bench/bench_dossiers.py --dossiers 100000                    # SQLite
    .venv/bin/python bench/bench_dossiers.py \\
        --database-url postgres://postgres@127.0.0.1:5432/egov_bench_dossiers    # PostgreSQL

The dataset is generated first when the database holds none (``--dossiers``, ``--agencies``)
or with ``--regenerate``; otherwise the existing one is reused (each run adds its intakes).

Measures, with p50 / p95 per operation:

(a) counter intake through the real ``services.receive`` (code from ``core.numbering``, due
    moment, papers, first step, fact tables, audit event; no PDF — form 01 is rendered apart):
    ``--intakes`` dossiers at the busiest one-stop unit, each in its own transaction;
(b) lookup by code: the dossier with its procedure and agencies, and its steps (what the
    tracking and detail pages read), for ``--lookups`` random codes;
(c) an officer's inbox: ``egov.dossiers.selectors`` when it has an inbox function, otherwise
    the equivalent query (active steps assigned to the officer, or unassigned at an agency
    where they hold the step's role or lead, by due moment, 50 rows, with their dossiers),
    for one-stop officers, specialists and leaders of communes and district departments;
(d) the statistics of a province-year (every agency, 365 days):
    ``egov.dossiers.statistics.report`` when it exists, otherwise the equivalent aggregation
    over ``DossierDailyStat`` and ``OpenDueCount``;

and (b)–(d) again through Django's test client against the real views when they exist
(``/dossiers/``, ``/dossiers/statistics/``, a dossier's page), logged in, templates rendered.

Targets (ISSUE 3, the project's 2-core machine): inbox and lookup p95 < 50 ms at 1,000,000
dossiers, statistics of a province-year p95 < 200 ms. The exit status is 1 when one is missed,
so that a regression shows up the day it lands.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections import defaultdict

import gen_dossiers

TARGETS_MS = {"lookup": 50.0, "inbox": 50.0, "statistics": 200.0}


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds (the definition of ``_setup.report``)."""
    ms = sorted(s * 1000 for s in samples)
    mid = len(ms) // 2
    p50 = ms[mid] if len(ms) % 2 else (ms[mid - 1] + ms[mid]) / 2
    return p50, ms[min(len(ms) - 1, int(len(ms) * 0.95))]


def timed(fn, args_list, warmup: int = 5) -> list[float]:
    for args in args_list[:warmup]:
        fn(*args)
    samples = []
    for args in args_list:
        start = time.perf_counter()
        fn(*args)
        samples.append(time.perf_counter() - start)
    return samples


class Results:
    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.missed: list[str] = []

    def add(self, name: str, samples: list[float], target: str | None, note: str = "") -> None:
        p50, p95 = percentiles(samples)
        limit = TARGETS_MS.get(target) if target else None
        verdict = "—"
        if limit is not None:
            verdict = "pass" if p95 < limit else "MISSED"
            if p95 >= limit:
                self.missed.append(f"{name}: p95 {p95:.1f} ms ≥ {limit:.0f} ms")
        self.rows.append(
            (name, len(samples), p50, p95, f"< {limit:.0f}" if limit else "", verdict, note)
        )
        print(f"  {name}: p50 {p50:.2f} ms, p95 {p95:.2f} ms {note}", flush=True)

    def skip(self, name: str, why: str) -> None:
        self.rows.append((name, 0, None, None, "", "skipped", why))
        print(f"  {name}: skipped ({why})", flush=True)

    def table(self) -> str:
        lines = [
            "| measurement | n | p50 ms | p95 ms | target p95 ms | result | note |",
            "|---|---:|---:|---:|---:|---|---|",
        ]
        for name, n, p50, p95, target, verdict, note in self.rows:
            if p50 is None:
                lines.append(f"| {name} | – | – | – | {target} | {verdict} | {note} |")
            else:
                lines.append(
                    f"| {name} | {n:,} | {p50:.2f} | {p95:.2f} | {target} | {verdict} | {note} |"
                )
        return "\n".join(lines)


# --- what the pages read, when their code is not there yet ------------------------------------


def inbox_query(user) -> list:
    """Active steps waiting for ``user``: assigned to them, or unassigned at an agency where they
    hold the step's role or lead it (the rule of ``services._may_work_on``); due first, 50 rows,
    with their dossiers and procedures."""
    from django.db.models import Q

    from egov.accounts.models import Membership
    from egov.dossiers.models import DossierStep

    roles: dict[int, set[str]] = defaultdict(set)
    for agency_id, role in Membership.objects.filter(user=user, is_active=True).values_list(
        "agency_id", "role"
    ):
        roles[agency_id].add(role)
    q = Q(assignee=user)
    for agency_id, held in roles.items():
        if "leader" in held:
            q |= Q(agency_id=agency_id, assignee__isnull=True)
        else:
            q |= Q(agency_id=agency_id, role__in=sorted(held), assignee__isnull=True)
    return list(
        DossierStep.objects.filter(state="active")
        .filter(q)
        .select_related("dossier", "dossier__procedure")
        .order_by("due_at", "id")[:50]
    )


FLOWS = (
    "received_counter",
    "received_online",
    "received_post",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "closed_without_result",
    "returned",
    "refused",
)


def statistics_query(agency_ids: list[int], start: dt.date, end: dt.date, today: dt.date):
    """The standard report's figures per agency from the fact tables only: carried over (flows
    before the period), received by channel, resolved early / on time / late, returned, and
    in progress on time / overdue now (``OpenDueCount``)."""
    from django.db.models import F, Q, Sum

    from egov.dossiers.models import DossierDailyStat, OpenDueCount

    stats = DossierDailyStat.objects.filter(agency_id__in=agency_ids)
    period = {
        r["agency_id"]: r
        for r in stats.filter(day__gte=start, day__lte=end)
        .values("agency_id")
        .annotate(**{f: Sum(f) for f in FLOWS})
        .order_by()
    }
    inflow = F("received_counter") + F("received_online") + F("received_post")
    outflow = (
        F("resolved_early")
        + F("resolved_on_time")
        + F("resolved_late")
        + F("closed_without_result")
    )
    carried = {
        r["agency_id"]: r["stock"]
        for r in stats.filter(day__lt=start)
        .values("agency_id")
        .annotate(stock=Sum(inflow - outflow))
        .order_by()
    }
    open_now = {
        r["agency_id"]: r
        for r in OpenDueCount.objects.filter(agency_id__in=agency_ids, count__gt=0)
        .values("agency_id")
        .annotate(
            overdue=Sum("count", filter=Q(due_day__lt=today)),
            on_time=Sum("count", filter=Q(due_day__gte=today)),
        )
        .order_by()
    }
    rows = []
    for agency_id in sorted(set(period) | set(carried) | set(open_now)):
        row = {f: (period.get(agency_id) or {}).get(f) or 0 for f in FLOWS}
        row["agency_id"] = agency_id
        row["carried_over"] = carried.get(agency_id) or 0
        row["in_progress_on_time"] = (open_now.get(agency_id) or {}).get("on_time") or 0
        row["in_progress_overdue"] = (open_now.get(agency_id) or {}).get("overdue") or 0
        rows.append(row)
    return rows


def lookup(code: str):
    from egov.dossiers.models import Dossier

    dossier = Dossier.objects.select_related(
        "procedure_version", "procedure", "agency", "intake_agency"
    ).get(code=code)
    steps = list(dossier.steps.select_related("agency", "assignee").order_by("order"))
    return dossier, steps


def _selectors_inbox():
    """The dossier UI's inbox function, if it has been written."""
    try:
        from egov.dossiers import selectors
    except ImportError:
        return None, "no egov.dossiers.selectors"
    for name in ("inbox", "officer_inbox", "inbox_for", "inbox_steps"):
        fn = getattr(selectors, name, None)
        if callable(fn):
            return fn, f"selectors.{name}"
    return None, "selectors has no inbox function"


def _run_inbox(fn, user) -> list:
    result = fn(user)
    if hasattr(result, "query") and hasattr(result, "model"):  # a queryset: one page
        return list(result[:50])
    for attribute in ("items", "object_list"):  # a page object
        if hasattr(result, attribute):
            return list(getattr(result, attribute))
    return list(result)[:50] if not isinstance(result, dict) else [result]


def _statistics_report():
    try:
        from egov.dossiers import statistics
    except ImportError:
        return None
    fn = getattr(statistics, "report", None)
    return fn if callable(fn) else None


# --- the benchmark -----------------------------------------------------------------------------


def pick_people():
    """Officers whose inboxes are measured, and the intake counter (the busiest one)."""
    from django.db.models import Count
    from django.utils import timezone

    from egov.accounts.models import Membership, User
    from egov.dossiers.models import Dossier
    from egov.organizations.models import Agency

    # the generated fortnight before today (not the intakes of earlier benchmark runs)
    until = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
    busiest = list(
        Dossier.objects.filter(
            received_at__gte=until - dt.timedelta(days=14), received_at__lt=until
        )
        .values("intake_agency_id", "agency_id")
        .annotate(n=Count("id"))
        .order_by("-n")[:40]
    )
    kinds = dict(Agency.objects.values_list("id", "kind"))
    communes = [b for b in busiest if kinds[b["agency_id"]] != "district"]
    districts = [b for b in busiest if kinds[b["agency_id"]] == "district"]

    def first(agency_id: int, role: str) -> User | None:
        m = (
            Membership.objects.filter(agency_id=agency_id, role=role, is_active=True)
            .select_related("user")
            .order_by("id")
            .first()
        )
        return m.user if m else None

    wanted: list[tuple[str, int, str]] = [  # (label, agency, role)
        ("one-stop officer", b["intake_agency_id"], "onestop")
        for b in (districts[:1] + communes[:2])[:3]
    ]
    for b in districts[:1]:
        for abbr in ("TNMT", "TP"):
            dept = Agency.objects.filter(parent_id=b["agency_id"], abbreviation=abbr).first()
            if dept:
                wanted.append((f"specialist {abbr}", dept.pk, "specialist"))
        wanted.append(("district leader", b["agency_id"], "leader"))
    wanted += [("commune specialist", b["agency_id"], "specialist") for b in communes[:2]]
    wanted += [("commune leader", b["agency_id"], "leader") for b in communes[:1]]
    people = [(label, first(agency_id, role)) for label, agency_id, role in wanted]
    people = [(label, user) for label, user in people if user is not None]
    counter = communes[0] if communes else busiest[0]
    province = Agency.objects.filter(kind="province").order_by("id").first()
    statistician = first(province.pk, "leader") if province else None
    return people, counter, statistician


def bench_intake(results: Results, counter: dict, n: int, rng: random.Random) -> None:
    from django.utils import timezone

    from egov.accounts.models import Membership
    from egov.dossiers import services
    from egov.organizations.models import Agency
    from egov.procedures.models import Procedure

    intake_agency = Agency.objects.get(pk=counter["intake_agency_id"])
    government = intake_agency.government()
    officer = (
        Membership.objects.filter(agency=intake_agency, role="onestop", is_active=True)
        .select_related("user")
        .first()
        .user
    )
    level = "district" if government.kind == "district" else "commune"
    today = timezone.localdate()
    versions = [
        v
        for p in Procedure.objects.filter(level=level, is_active=True).order_by("national_code")
        if (v := p.version_on(today)) is not None
    ]
    intakes = []
    for i in range(n):
        version = versions[i % len(versions)]
        required = [p.order for p in version.papers.all() if p.required]
        applicant = services.Applicant(
            name=f"Người nộp thử {i}",
            id_number=f"0{rng.randrange(1, 97):02d}{rng.randrange(10**9):09d}",
            phone=f"09{rng.randrange(10**8):08d}",
            address="Thôn 1",
        )
        intakes.append(
            (
                services.Intake(
                    procedure_version=version, applicant=applicant, papers_received=required
                ),
            )
        )

    def receive(intake):
        services.receive(intake, intake_agency, by=officer)

    samples = timed(receive, intakes, warmup=0)
    rate = len(samples) / sum(samples)
    results.add(
        f"counter intake, `services.receive` at {intake_agency.code}",
        samples,
        None,
        f"{rate:,.0f} dossiers/s (no PDF)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--dossiers",
        type=int,
        default=None,
        help="if generating: default 1,000,000 on PostgreSQL, 100,000 on SQLite",
    )
    parser.add_argument("--agencies", type=int, default=100, help="if generating")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--intakes", type=int, default=500)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--inbox-repeat", type=int, default=60, help="per officer")
    parser.add_argument("--stats-repeat", type=int, default=50)
    parser.add_argument("--page-repeat", type=int, default=30, help="per view and officer")
    args = parser.parse_args()

    os.environ.setdefault("EGOV_DEBUG", "0")  # as in production: no query log, cached templates
    vendor = gen_dossiers.configure(args.database_url, reset=False)
    count = 0 if args.regenerate else gen_dossiers.dossier_count()
    if count == 0:
        gen_dossiers.reset_database()
        n = args.dossiers or (1_000_000 if vendor == "postgresql" else 100_000)
        summary = gen_dossiers.generate(n, args.agencies)
        gen_dossiers.print_summary(summary)
        count = summary["dossiers"]

    from django.utils import timezone

    from egov.dossiers.models import Dossier, DossierStep
    from egov.organizations.models import Agency

    rng = random.Random(7)
    active_steps = DossierStep.objects.filter(state="active").count()
    print(
        f"database: {vendor}; {count:,} dossiers, "
        f"{DossierStep.objects.count():,} steps ({active_steps:,} active), "
        f"{Agency.objects.count()} agencies",
        flush=True,
    )
    people, counter, statistician = pick_people()
    results = Results()

    print("(a) counter intake", flush=True)
    bench_intake(results, counter, args.intakes, rng)

    print("(b) lookup by code", flush=True)
    low, high = (
        Dossier.objects.order_by("id").values_list("id", flat=True)[0],
        (Dossier.objects.order_by("-id").values_list("id", flat=True)[0]),
    )
    ids = rng.sample(range(low, high + 1), min(args.lookups * 2, high - low + 1))
    codes = [
        c
        for c in Dossier.objects.filter(id__in=ids)
        .exclude(code=None)
        .values_list("code", flat=True)
    ][: args.lookups]
    rng.shuffle(codes)
    results.add("lookup by code + steps (query)", timed(lookup, [(c,) for c in codes]), "lookup")

    print("(c) officer inbox", flush=True)
    inbox_fn, inbox_source = _selectors_inbox()
    if inbox_fn is None:
        inbox_fn, inbox_source = inbox_query, f"equivalent query ({inbox_source})"
    else:
        try:
            _run_inbox(inbox_fn, people[0][1])
        except TypeError as exc:
            inbox_fn, inbox_source = inbox_query, f"equivalent query ({inbox_source}: {exc})"
    samples = []
    for label, user in people:
        mine = timed(lambda u: _run_inbox(inbox_fn, u), [(user,)] * args.inbox_repeat)
        rows = len(_run_inbox(inbox_fn, user))
        p50, p95 = percentiles(mine)
        print(f"    {label} {user.username}: {rows} rows, p50 {p50:.2f} ms, p95 {p95:.2f} ms")
        samples += mine
    results.add(f"inbox, {len(people)} officers ({inbox_source})", samples, "inbox")

    print("(d) statistics", flush=True)
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=365), today
    agency_ids = list(Agency.objects.values_list("id", flat=True))
    report = _statistics_report()
    if report is not None:
        stats_fn, stats_source = (lambda: report(agency_ids, start, end)), "statistics.report"
    else:
        stats_fn = lambda: statistics_query(agency_ids, start, end, today)  # noqa: E731
        stats_source = "equivalent aggregation (no egov.dossiers.statistics.report)"
    results.add(
        f"statistics, province-year, {len(agency_ids)} agencies ({stats_source})",
        timed(stats_fn, [()] * args.stats_repeat),
        "statistics",
    )

    print("(b–d) pages through the test client", flush=True)
    bench_pages(results, people, statistician, codes, start, end, args.page_repeat)

    print()
    print(results.table())
    if results.missed:
        print("\ntargets missed:\n  " + "\n  ".join(results.missed))
        sys.exit(1)
    print("\nall targets met")


def bench_pages(results: Results, people, statistician, codes, start, end, repeat: int) -> None:
    from django.test import Client
    from django.urls import NoReverseMatch, Resolver404, resolve, reverse

    from egov.dossiers.models import Dossier

    def exists(path: str) -> bool:
        try:
            resolve(path)
        except Resolver404:
            return False
        return True

    def page(client: Client, path: str) -> None:
        response = client.get(path, HTTP_HOST="localhost")
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} → {response.status_code}")
        if response.streaming:
            b"".join(response.streaming_content)

    def measure(name: str, target: str, calls: list[tuple[Client, str]]) -> None:
        try:
            samples = timed(page, calls, warmup=3)
        except RuntimeError as exc:
            results.skip(name, str(exc))
            return
        results.add(name, samples, target)

    clients = {}

    def client_for(user) -> Client:
        if user.pk not in clients:
            client = Client()
            client.force_login(user)
            clients[user.pk] = client
        return clients[user.pk]

    if exists("/dossiers/"):
        calls = [(client_for(u), "/dossiers/") for _, u in people for _ in range(repeat)]
        measure("inbox page GET /dossiers/ (rendered)", "inbox", calls)
    else:
        results.skip("inbox page GET /dossiers/", "no view yet")

    detail = None
    sample = Dossier.objects.filter(code=codes[0]).values("pk", "code").first()
    for name in ("dossiers:detail", "dossiers:dossier", "dossiers:view", "dossiers:track"):
        for kwargs in ({"code": sample["code"]}, {"pk": sample["pk"]}):
            try:
                reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            detail = (name, next(iter(kwargs)))
            break
        if detail:
            break
    if detail and statistician is not None:
        name, key = detail
        rows = Dossier.objects.filter(code__in=codes[: repeat * 10]).values("pk", "code")
        viewer = client_for(statistician)  # a province leader may open any dossier
        calls = [(viewer, reverse(name, kwargs={key: r[key]})) for r in rows]
        label = reverse(name, kwargs={key: rows[0][key]}).replace(str(rows[0][key]), f"<{key}>")
        measure(f"dossier page GET {label} (rendered)", "lookup", calls)
    else:
        results.skip("dossier page (by code)", "no dossier detail view yet")

    if exists("/dossiers/statistics/") and statistician is not None:
        path = f"/dossiers/statistics/?from={start:%d/%m/%Y}&to={end:%d/%m/%Y}"
        measure(
            "statistics page GET /dossiers/statistics/ (province leader, rendered)",
            "statistics",
            [(client_for(statistician), path)] * repeat,
        )
    else:
        results.skip("statistics page GET /dossiers/statistics/", "no view yet")


if __name__ == "__main__":
    main()

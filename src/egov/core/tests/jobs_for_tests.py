"""Job functions used by the task tests (module-level so that jobs can name them by path)."""

from egov.core.models import CalendarOverride

CALLS: list[str] = []


def succeed(date: str, name: str) -> None:
    CalendarOverride.objects.create(date=date, kind="day_off", name=name, notice="job")


def flaky(fail_times: int) -> None:
    CALLS.append("flaky")
    if len(CALLS) <= fail_times:
        raise ConnectionError(f"the other side is down (call {len(CALLS)})")

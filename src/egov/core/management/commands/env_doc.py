"""``manage.py env_doc [--write]``: the table of environment variables in docs/configuration.md."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from egov import env

BEGIN, END = "<!-- env-table:begin -->", "<!-- env-table:end -->"


def table() -> str:
    lines = ["| variable | type | default | meaning |", "|---|---|---|---|"]
    for var in sorted(env.REGISTRY.values(), key=lambda v: v.name):
        default = str(var.default).replace("|", "\\|") if var.default not in ("", None) else "—"
        lines.append(f"| `{var.name}` | {var.kind} | `{default}` | {var.help} |")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print (or --write into docs/configuration.md) the table of every environment variable egov reads."

    def add_arguments(self, parser):
        parser.add_argument(
            "--write", action="store_true", help="replace the table in docs/configuration.md"
        )

    def handle(self, *args, write=False, **options):
        if not write:
            self.stdout.write(table())
            return
        path = Path(settings.BASE_DIR) / "docs" / "configuration.md"
        text = path.read_text()
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        path.write_text(f"{head}{BEGIN}\n{table()}\n{END}{tail}")
        self.stdout.write(f"updated {path}")

"""``manage.py env_doc``: print the table of environment variables for docs/configuration.md."""

from django.core.management.base import BaseCommand

from egov import env


class Command(BaseCommand):
    help = "Print the Markdown table of every environment variable egov reads."

    def handle(self, *args, **options):
        self.stdout.write("| variable | type | default | meaning |\n|---|---|---|---|")
        for var in sorted(env.REGISTRY.values(), key=lambda v: v.name):
            default = str(var.default).replace("|", "\\|") if var.default not in ("", None) else "—"
            self.stdout.write(f"| `{var.name}` | {var.kind} | `{default}` | {var.help} |")

"""The shape every operator's `manage.py` command shares (README "Operators").

Each command calls the service its Celery job calls, prints one summary line on stdout, draws a
progress bar on stderr for long work (only on a terminal), offers `--dry-run` when it writes, and
exits non-zero through CommandError when something failed.
"""

from django.core.management.base import BaseCommand, CommandError

from cafa.progress import Track, progress_bar

DRY_RUN_NOTE = " (dry run: nothing changed)"


class OperatorCommand(BaseCommand):
    """A BaseCommand with `--dry-run` (unless `writes = False`), a progress bar and a summary line."""

    writes = True

    def add_arguments(self, parser):
        if self.writes:
            parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")
        self.add_options(parser)

    def add_options(self, parser):
        """Command-specific arguments."""

    def track(self, label: str) -> Track:
        return progress_bar(label, stream=self.stderr._out)

    def summarize(self, line: str, *, dry_run: bool = False, failed: bool = False) -> None:
        """Print the one summary line, or raise CommandError with it when something failed."""
        line += DRY_RUN_NOTE if dry_run else ""
        if failed:
            raise CommandError(line)
        self.stdout.write(line)

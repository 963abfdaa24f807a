"""`manage.py refresh_bank_list [--dry-run]`: fetch the provider's bank list into the cache now (CONTRACT.md §10.6).

The daily job does the same and keeps the cached list when the provider is unreachable; this command
says so and exits non-zero. In sandbox mode there is no provider list: M9 serves the static one.
"""

from cafa.commands import OperatorCommand
from payments import providers
from payments.providers import ProviderError
from payouts.services import banks


class Command(OperatorCommand):
    help = "Refresh the cached provider bank list (banks and mobile-money networks)."

    def handle(self, *args, dry_run=False, **options):
        if providers.sandbox_enabled():
            self.summarize("bank list: sandbox mode, the static list is served; nothing to refresh", dry_run=dry_run)
            return
        if dry_run:
            self.summarize(f"bank list: would fetch {', '.join(banks.KINDS)} from the provider", dry_run=True)
            return
        counts, errors = {}, []
        for kind in banks.KINDS:
            try:
                counts[kind] = len(banks.refresh_bank_list(kind)["results"])
            except ProviderError as error:
                errors.append(f"{kind}: {error}")
        refreshed = ", ".join(f"{count} {kind}" for kind, count in counts.items()) or "nothing"
        line = f"bank list: {refreshed} refreshed"
        if errors:
            line += f"; failed (the cached list stays): {'; '.join(errors)}"
        self.summarize(line, failed=bool(errors))

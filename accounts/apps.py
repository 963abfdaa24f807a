from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from accounts.services.organizer_access import sync_organizers_group

        # After every app's migrations (and their permissions), so the group always has exactly its list.
        post_migrate.connect(sync_organizers_group, dispatch_uid="accounts.sync_organizers_group")

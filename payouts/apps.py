from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payouts"

    def ready(self):
        from payouts import receivers  # noqa: F401 (connects the signal receivers)

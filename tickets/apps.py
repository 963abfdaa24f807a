from django.apps import AppConfig


class TicketsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"

    def ready(self):
        from events.selectors import register_ticket_counts
        from tickets.selectors import TicketCountExpressions

        register_ticket_counts(TicketCountExpressions())
        from tickets import receivers  # noqa: F401 (connects the signal receivers)

"""Staff's "Cancel event" on the event list: a confirmation page with a reason, then the cancellation service.

Hooked onto the event admin that the events app registers (events cannot import payouts, where the
service lives). Only users with `events.cancel_event` (staff given it, superusers) see the action. The
request itself only cancels the event (one short transaction); the refunds and e-mails run in the
worker, and `manage.py cancel_event` or the periodic job finish them if the worker is down.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse

from cafa.celery import enqueue
from events.models import Event
from payouts import selectors
from payouts.services import event_cancellation


class CancellationForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Buyers and the organizer read this in their e-mail.",
    )


@admin.action(description="Cancel selected events and refund their buyers", permissions=["cancel_event"])
def cancel_events(modeladmin, request, queryset):
    form = CancellationForm(request.POST if request.POST.get("confirm") == "yes" else None)
    if form.is_valid():
        for event in queryset:
            _cancel(event, form.cleaned_data["reason"], request.user)
        count = queryset.count()
        modeladmin.message_user(
            request,
            f"{count} event(s) cancelled. Refunds and e-mails are on their way (see Event cancellations).",
            messages.SUCCESS,
        )
        return None
    events = [
        (event, event_cancellation.preview_cancellation(event=event), selectors.amount_owed(event.organizer_id))
        for event in queryset.select_related("organizer")
    ]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Cancel events and refund their buyers",
        "opts": modeladmin.model._meta,
        "events": events,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
    }
    return TemplateResponse(request, "admin/payouts/cancel_events.html", context)


def _cancel(event: Event, reason: str, user) -> None:
    event_cancellation.request_cancellation(event=event, reason=reason, requested_by=user)
    event_pk = event.pk
    transaction.on_commit(lambda: enqueue("payouts.run_event_cancellation", event_pk), robust=True)


def install(site=admin.site) -> None:
    """Add the action to the registered event admin (called once from payouts/admin.py)."""
    event_admin = site.get_model_admin(Event)
    event_admin.actions = [*(event_admin.actions or []), cancel_events]
    event_admin.has_cancel_event_permission = lambda request: request.user.has_perm("events.cancel_event")

"""Purchase and payment routes (CONTRACT.md §6 Y1-Y8); filled by the checkout HTTP layer."""

urlpatterns = []

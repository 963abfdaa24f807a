"""Dashboard routes (CONTRACT.md §8, §9, §12); filled by the analytics work."""

urlpatterns = []

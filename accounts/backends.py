"""Authentication by e-mail or username, both case-insensitive."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


def find_user_by_identifier(identifier: str):
    """The account whose e-mail or username matches `identifier` (case-insensitive), or None."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user_model = get_user_model()
    return user_model.objects.filter(Q(email__iexact=identifier) | Q(username__iexact=identifier)).first()


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = username or kwargs.get("email")
        user = find_user_by_identifier(identifier)
        if user is None:
            get_user_model()().set_password(password)  # equal work whether or not the user exists
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

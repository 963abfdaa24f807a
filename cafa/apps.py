"""The admin app with the project's site (cafa/admin_site.py) as `django.contrib.admin.site`."""

from django.contrib.admin.apps import AdminConfig


class CafaAdminConfig(AdminConfig):
    default_site = "cafa.admin_site.CafaAdminSite"

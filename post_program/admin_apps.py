"""The Django admin app, installed with the audited site as its default (admin_site.py)."""

from django.contrib.admin.apps import AdminConfig


class PostAdminConfig(AdminConfig):
    default_site = "post_program.admin_site.AuditedAdminSite"

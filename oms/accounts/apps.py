from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "oms.accounts"
    label = "accounts"

    def ready(self):
        from django.db.models.signals import post_migrate

        from oms.accounts.roles import sync_roles

        post_migrate.connect(sync_roles, dispatch_uid="oms.sync_roles")

        from oms.accounts import security_events  # noqa: F401  (connects the sign-in signal receivers)

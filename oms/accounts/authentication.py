from rest_framework.authentication import TokenAuthentication as DRFTokenAuthentication


class TokenAuthentication(DRFTokenAuthentication):
    """`Authorization: Token <key>`; the user and its groups come in one query."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user").get(key=key)
        except model.DoesNotExist:
            from rest_framework import exceptions

            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            from rest_framework import exceptions

            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return (token.user, token)

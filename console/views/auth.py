"""Signing in and out. Django's sessions and its authentication form, through django-axes
(config/settings/base.py): repeated failures lock the account and the address, and a locked
sign-in answers the lockout page (AXES_LOCKOUT_TEMPLATE)."""

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "The username or the password is wrong.",
    }


class SignInView(LoginView):
    template_name = "console/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(LogoutView):
    next_page = "console:sign-in"

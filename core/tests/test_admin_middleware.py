"""Sessions, users and messages run for the admin's and the console's paths only
(core.middleware.StaffOnly)."""

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client

from core.middleware import StaffAuthenticationMiddleware, StaffSessionMiddleware

pytestmark = pytest.mark.django_db


def test_the_admin_still_logs_in_with_a_session_and_shows_its_messages(admin_user):
    client = Client()
    login = client.post(
        "/admin/login/", {"username": "admin", "password": "password", "next": "/admin/"}
    )
    assert (login.status_code, login["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200
    # The change list after an action carries a message through the session.
    user = User.objects.create_user("clerk", password="x")
    client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"})
    page = client.get("/admin/auth/user/")
    assert "was deleted successfully" in page.content.decode()


def test_the_admin_login_still_refuses_a_post_without_the_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "admin", "password": "password"})
    assert response.status_code == 403


def test_api_requests_get_no_session_and_no_user(rf):
    seen: dict[str, bool] = {}

    def view(request):
        seen.update(session=hasattr(request, "session"), user=hasattr(request, "user"))
        return HttpResponse()

    chain = StaffSessionMiddleware(StaffAuthenticationMiddleware(view))
    chain(rf.get("/view-loans/1"))
    assert seen == {"session": False, "user": False}
    for path in ("/admin/", "/console/customers/"):
        chain(rf.get(path))
        assert seen == {"session": True, "user": True}, path


def test_admin_without_the_slash_reaches_the_admin(admin_user):
    client = Client()
    client.force_login(admin_user)
    moved = client.get("/admin")
    assert (moved.status_code, moved["Location"]) == (301, "/admin/")
    landed = client.get("/admin", follow=True)
    assert (landed.status_code, landed.redirect_chain) == (200, [("/admin/", 301)])
    assert "Site administration" in landed.content.decode()

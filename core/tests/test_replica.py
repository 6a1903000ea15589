"""core.replica in one process, on the real Redis: which requests read the replica, who is sent
back to the primary after writing, and for how long (test_e2e_replica.py runs it on two real
databases behind `make serve`)."""

import os
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpResponse
from django.test import RequestFactory

from config.settings.checks import refuse_replica_without_redis
from core import redis
from core.replica import (
    REPLICA,
    ReplicaReadsMiddleware,
    ReplicaRouter,
    read_alias,
    reading_from,
)
from decisions.api import CheckEligibilityApi
from loans.api import ViewLoanApi

pytestmark = pytest.mark.redis


@pytest.fixture(autouse=True)
def replica_settings(settings):
    settings.REDIS_URL = os.environ.get("REDIS_URL", "")
    settings.DATABASE_REPLICA_STICKY_SECONDS = 1
    client = redis.client(settings.REDIS_URL)
    for key in client.scan_iter("credit:replica:*"):
        client.delete(key)


def serve(method, view_class, key="replica-test-key-0123456789"):
    """The alias the view's queries would use, and the alias once the request is over."""
    seen: list[str] = []

    def view_layer(request):
        middleware.process_view(request, view_class.as_view(), (), {})
        seen.append(read_alias())
        return HttpResponse()

    middleware = ReplicaReadsMiddleware(view_layer)
    request = getattr(RequestFactory(), method.lower())("/", HTTP_X_API_KEY=key)
    middleware(request)
    return seen[0], read_alias()


def test_a_read_only_view_reads_the_replica_and_the_request_ends_on_the_primary():
    assert serve("GET", ViewLoanApi) == (REPLICA, DEFAULT_DB_ALIAS)


def test_views_that_decide_or_write_never_read_the_replica():
    assert serve("GET", CheckEligibilityApi) == (DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS)
    assert serve("POST", ViewLoanApi, key="other-client-0123456789")[0] == DEFAULT_DB_ALIAS


def test_a_client_that_wrote_reads_the_primary_for_the_sticky_seconds():
    serve("POST", CheckEligibilityApi)
    assert serve("GET", ViewLoanApi)[0] == DEFAULT_DB_ALIAS
    assert serve("GET", ViewLoanApi, key="someone-else-0123456789")[0] == REPLICA
    time.sleep(1.1)
    assert serve("GET", ViewLoanApi)[0] == REPLICA


def test_without_a_key_the_client_is_its_address():
    factory = RequestFactory()
    middleware = ReplicaReadsMiddleware(lambda request: HttpResponse())
    middleware(factory.post("/", REMOTE_ADDR="10.0.0.7"))
    keys = redis.client(os.environ["REDIS_URL"]).keys("credit:replica:wrote:*")
    assert keys == [b"credit:replica:wrote:address:10.0.0.7"]


def test_with_redis_unreachable_everyone_reads_the_primary(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    serve("POST", CheckEligibilityApi)  # the note is lost, and no error
    assert serve("GET", ViewLoanApi)[0] == DEFAULT_DB_ALIAS


def test_the_router_sends_reads_where_the_request_reads_and_writes_to_the_primary():
    router = ReplicaRouter()
    with reading_from(REPLICA):
        assert router.db_for_read(ViewLoanApi) == REPLICA
        assert router.db_for_write(ViewLoanApi) == DEFAULT_DB_ALIAS
    assert router.db_for_read(ViewLoanApi) == DEFAULT_DB_ALIAS
    assert router.allow_relation(object(), object()) is True
    assert (router.allow_migrate("default", "loans"), router.allow_migrate(REPLICA, "loans")) == (
        True,
        False,
    )


def test_a_replica_needs_redis_to_know_who_wrote():
    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_REPLICA_URL needs REDIS_URL"):
        refuse_replica_without_redis("")
    refuse_replica_without_redis("redis://127.0.0.1:6379/0")

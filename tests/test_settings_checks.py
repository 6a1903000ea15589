"""The refusal rules in-process (test_production_settings.py runs them as a real start-up)."""

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import gunicorn
from config.settings.checks import refuse_debug, refuse_insecure, throttle_rate
from config.settings.env import env_int

SAFE: dict[str, Any] = {
    "secret_key": "k3P9-vQ2x_Lr7TbN8mYz4HcW1sJd6FgA0eUoRiXpVnKtCqEhSlZaMwBy5_jG2uDf",
    "allowed_hosts": ["credit.example.com"],
    "api_keys": ["client-one-0123456789"],
}


def test_a_safe_setup_passes():
    refuse_insecure(**SAFE)


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"secret_key": ""}, "SECRET_KEY"),
        ({"secret_key": "changeme"}, "SECRET_KEY"),
        ({"allowed_hosts": []}, "ALLOWED_HOSTS"),
        ({"api_keys": ["short"]}, "API_KEYS"),
    ],
)
def test_each_unsafe_setting_is_named(change, variable):
    with pytest.raises(ImproperlyConfigured, match=rf"^{variable}"):
        refuse_insecure(**{**SAFE, **change})


def test_no_api_keys_passes_managed_keys_need_none():
    refuse_insecure(**{**SAFE, "api_keys": []})


@pytest.mark.parametrize("rate", ["600/min", "10/s", "5/hour", "1000/day"])
def test_throttle_rates_in_drf_syntax_pass(rate):
    assert throttle_rate(rate) == rate


@pytest.mark.parametrize("rate", ["600", "0/min", "ten/min", "600/fortnight"])
def test_other_throttle_rates_are_refused(rate):
    with pytest.raises(ImproperlyConfigured, match=r"^API_THROTTLE_RATE"):
        throttle_rate(rate)


def test_no_throttle_rate_means_none():
    assert throttle_rate("") is None


def test_env_int(monkeypatch):
    monkeypatch.setenv("SOME_COUNT", " 7 ")
    assert env_int("SOME_COUNT", 1) == 7
    monkeypatch.setenv("SOME_COUNT", "")
    assert env_int("SOME_COUNT", 1) == 1
    monkeypatch.setenv("SOME_COUNT", "many")
    with pytest.raises(ValueError, match="SOME_COUNT must be a whole number"):
        env_int("SOME_COUNT", 1)


def test_gunicorn_defaults_to_two_workers_per_core_plus_one():
    assert gunicorn.default_workers() % 2 == 1
    assert gunicorn.default_workers() >= 3


def test_gunicorn_starts_with_no_metric_files(tmp_path, monkeypatch):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"old")
    (folder / "keep.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    gunicorn.on_starting(server=None)
    assert sorted(path.name for path in folder.iterdir()) == ["keep.txt"]


@pytest.mark.parametrize(("debug", "allowed"), [(False, False), (False, True), (True, True)])
def test_debug_passes_when_off_or_allowed_by_name(debug, allowed):
    refuse_debug(debug=debug, allowed=allowed)


def test_debug_on_without_the_allowing_variable_is_refused():
    with pytest.raises(ImproperlyConfigured, match=r"ALLOW_DEBUG_IN_PRODUCTION=true to debug"):
        refuse_debug(debug=True, allowed=False)

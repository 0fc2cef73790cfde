"""Every WB_* variable: its default, and a bad value refused with the variable's name."""

from __future__ import annotations

import pytest

from workbuoy import config


def test_defaults_follow_the_contract(tmp_path):
    env = config.load({"WB_DATA_DIR": str(tmp_path)})
    assert env.portal_base_url == "https://app.workbuoy.com/portal"
    assert env.api_base_url == "https://app.workbuoy.com/api"
    assert env.email_base_url == "https://app.workbuoy.com/email"
    assert env.cal_base_url == "https://app.workbuoy.com/calendar"
    assert (env.sync_initial_delay_sec, env.metrics_port, env.prefer_bearer) == (10.0, 9464, False)


def test_bases_default_from_the_portal_origin(tmp_path):
    env = config.load({"WB_DATA_DIR": str(tmp_path), "WB_PORTAL_BASE_URL": "http://127.0.0.1:8787/portal"})
    assert env.portal_origin == "http://127.0.0.1:8787"
    assert env.api_base_url == "http://127.0.0.1:8787/api"
    assert env.email_base_url == "http://127.0.0.1:8787/email"
    assert env.cal_base_url == "http://127.0.0.1:8787/calendar"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WB_PORTAL_BASE_URL", "http://portal.example.com"),  # plain http off loopback
        ("WB_API_BASE_URL", "ftp://127.0.0.1/api"),
        ("WB_EMAIL_BASE_URL", "not a url"),
        ("WB_CAL_BASE_URL", "http://10.0.0.1/calendar"),
        ("WB_UPDATE_FEED_URL", "file:///etc/passwd"),
        ("WB_UPDATE_CHANNEL", "nightly"),
        ("WB_UPDATE_INTERVAL_MIN", "-5"),
        ("WB_UPDATE_INTERVAL_MIN", "soon"),
        ("WB_UPDATE_AUTO", "sometimes"),
        ("WB_UPDATE_ROLLBACK_SEC", "0"),
        ("WB_PREFER_BEARER", "maybe"),
        ("WB_SYNC_INITIAL_DELAY_SEC", "-1"),
        ("WB_SYNC_CONCURRENCY", "0"),
        ("WB_SYNC_CONCURRENCY", "1.5"),
        ("WB_METRICS_PORT", "65536"),
        ("WB_LOG_JSON", "2"),
        ("WB_LOG_LEVEL", "LOUD"),
        ("WB_HEARTBEAT_SEC", "0"),
        ("WB_KEYRING_BACKEND", "plaintext"),
        ("WB_SYNC_POLL_SEC", "29"),
        ("WB_SYNC_POLL_SEC", "often"),
        ("WB_SYNC_PAGE_SIZE", "1001"),
        ("WB_SYNC_PAGE_SIZE", "0"),
        ("WB_UPDATE_INTERVAL_MIN", "4"),
        ("WB_UPDATE_INTERVAL_MIN", "1.5"),
    ],
)
def test_a_bad_value_names_its_variable(tmp_path, name, value):
    with pytest.raises(config.ConfigError) as err:
        config.load({"WB_DATA_DIR": str(tmp_path), name: value})
    assert name in str(err.value)


def test_crdt_tenants_is_a_comma_list(tmp_path):
    env = config.load({"WB_DATA_DIR": str(tmp_path), "WB_CRDT_TENANTS": " org-1, ,org-2 "})
    assert env.crdt_tenants == frozenset({"org-1", "org-2"})


def test_setting_variables_override_settings_only_when_set(tmp_path):
    assert config.load({"WB_DATA_DIR": str(tmp_path)}).settings_overrides == {}
    env = config.load({"WB_DATA_DIR": str(tmp_path), "WB_PORTAL_BASE_URL": "http://127.0.0.1:8787/portal",
                       "WB_PREFER_BEARER": "yes", "WB_SYNC_POLL_SEC": "60", "WB_SYNC_PAGE_SIZE": "500",
                       "WB_UPDATE_INTERVAL_MIN": "30"})
    assert env.settings_overrides == {"portal_origin": "http://127.0.0.1:8787", "prefer_bearer_token": True,
                                      "sync_interval_sec": 60, "sync_page_size": 500, "update_interval_min": 30}
    assert env.portal_path == "/portal" and env.api_base_for("https://eu.example.com") == "https://eu.example.com/api"
    pinned = config.load({"WB_DATA_DIR": str(tmp_path), "WB_API_BASE_URL": "https://api.example.com/v2"})
    assert pinned.api_base_for("https://eu.example.com") == "https://api.example.com/v2"


def test_every_base_follows_the_origin_unless_its_variable_is_set(tmp_path):
    env = config.load({"WB_DATA_DIR": str(tmp_path)})
    assert (env.email_base_for("https://eu.example.com"), env.cal_base_for("https://eu.example.com")) == (
        "https://eu.example.com/email", "https://eu.example.com/calendar")
    pinned = config.load({"WB_DATA_DIR": str(tmp_path), "WB_EMAIL_BASE_URL": "https://mail.example.com",
                          "WB_CAL_BASE_URL": "https://cal.example.com/v1"})
    assert (pinned.email_base_for("https://eu.example.com"), pinned.cal_base_for("https://eu.example.com")) == (
        "https://mail.example.com", "https://cal.example.com/v1")


def test_update_interval_0_means_on_demand_and_is_a_setting_too(tmp_path):
    env = config.load({"WB_DATA_DIR": str(tmp_path), "WB_UPDATE_INTERVAL_MIN": "0"})
    assert env.settings_overrides == {"update_interval_min": 0}

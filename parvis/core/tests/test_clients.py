from __future__ import annotations

from django.test import RequestFactory, override_settings

from parvis.core.clients import client_ip, fingerprint


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_x_forwarded_for_is_ignored():
    assert client_ip(request("203.0.113.5", "1.2.3.4")) == "203.0.113.5"


@override_settings(PARVIS_TRUSTED_PROXIES=1)
def test_one_trusted_proxy_gives_the_address_it_appended():
    # The reader forged "6.6.6.6"; nginx appended the real peer address last.
    assert client_ip(request("127.0.0.1", "6.6.6.6, 198.51.100.7")) == "198.51.100.7"


@override_settings(PARVIS_TRUSTED_PROXIES=2)
def test_two_trusted_proxies_skip_both_hops():
    assert client_ip(request("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1")) == "198.51.100.7"


@override_settings(PARVIS_TRUSTED_PROXIES=2)
def test_a_short_or_garbled_chain_falls_back_to_the_socket_address():
    assert client_ip(request("10.0.0.2", "198.51.100.7")) == "10.0.0.2"
    assert client_ip(request("10.0.0.2", "<script>, 10.0.0.1")) == "10.0.0.2"


def test_addresses_are_stored_only_as_keyed_hashes():
    print_ = fingerprint(request("203.0.113.5"))
    assert "203.0.113" not in print_.ip_hash
    assert len(print_.ip_hash) == 32
    assert print_.network_hash == fingerprint(request("203.0.113.77")).network_hash
    assert print_.ip_hash != fingerprint(request("203.0.113.77")).ip_hash

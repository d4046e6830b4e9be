# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure checks of the sandbox's configuration choices (no Postfix started)."""

import ipaddress
import socket

from tests.harness.sandbox import PostfixSandbox, free_port, port_block


def test_probe_source_is_not_trusted():
    # permit_mynetworks would let every probe through if 127.0.0.1 were trusted
    parameters = PostfixSandbox("/nonexistent", "127.0.0.1", 2525).main_cf_parameters()
    trusted = ipaddress.ip_network(parameters["mynetworks"])
    assert ipaddress.ip_address("127.0.0.1") not in trusted


def test_every_directory_is_inside_the_base_dir():
    instance = PostfixSandbox("/srv/sbx", "127.0.0.5", 2525)
    parameters = instance.main_cf_parameters()
    for name in ("queue_directory", "data_directory", "maillog_file", "maillog_file_prefixes"):
        assert parameters[name].startswith("/srv/sbx/"), name
    assert instance.config_dir == "/srv/sbx/etc"


def test_free_port_is_bindable():
    port = free_port("127.0.0.1")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))


def test_free_ports_come_from_this_workers_block_below_the_ephemeral_range(monkeypatch):
    with open("/proc/sys/net/ipv4/ip_local_port_range") as port_range:
        ephemeral_low = int(port_range.read().split()[0])
    for run_id in ("", "4f1c", "a" * 32):
        blocks = [port_block("gw%d" % index, run_id) for index in range(4)]
        assert len(set(blocks)) == 4, "two workers of one run share a block"
        assert all(first >= 1024 and last < ephemeral_low for first, last in blocks)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "4f1c")
    first, last = port_block("gw1", "4f1c")
    ports = [free_port("127.0.0.1") for _attempt in range(5)]
    assert all(first <= port <= last for port in ports)
    assert len(set(ports)) == 5, "a port handed out and not bound yet was handed out again"

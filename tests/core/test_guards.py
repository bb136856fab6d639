"""The test suite's own guards: they must hold, or other tests prove less than they say."""

import socket
import warnings

import pytest
from pytest_socket import SocketConnectBlockedError


def test_network_outside_loopback_is_blocked():
    with (
        pytest.raises(SocketConnectBlockedError),
        pytest.warns(UserWarning, match="192.0.2.1"),
    ):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1


def test_warnings_are_errors():
    with pytest.raises(DeprecationWarning):
        warnings.warn("deprecated", DeprecationWarning, stacklevel=1)

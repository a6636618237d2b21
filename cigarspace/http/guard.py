"""The outbound address guard: only http(s), and only public addresses.

Checked after DNS resolution before connecting, on every redirect hop (by the client), and
again on the socket actually connected, so a name that resolves differently the second
time (DNS rebinding) cannot reach a private address.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from cigarspace.http.errors import BlockedAddressError, HttpError

# Not "global" in ipaddress terms is already refused; these are named for the error message.
_METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}


def _allowed_private_hosts() -> list[str]:
    return list(getattr(settings, "HTTP_ALLOWED_PRIVATE_HOSTS", []) or [])


def _host_is_allow_listed(host: str, address: ipaddress._BaseAddress | None = None) -> bool:
    for allowed in _allowed_private_hosts():
        if host.lower() == allowed.lower():
            return True
        if address is not None:
            try:
                if address in ipaddress.ip_network(allowed, strict=False):
                    return True
            except ValueError:
                continue
    return False


def _refusal_reason(address: ipaddress._BaseAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in _METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private address"
    if address.is_multicast or address.is_reserved or address.is_unspecified:
        return "a reserved address"
    if not address.is_global:
        return "a non-public address"
    return None


def _resolve(host: str, port: int) -> list:
    return socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)


def check_url_allowed(url: str, *, guard_private: bool = True) -> None:
    """Refuse non-http(s) URLs and, when guarding, hosts resolving to non-public addresses.

    Runs before any connection is opened. Raises BlockedAddressError.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedAddressError(
            f"Only http and https URLs may be fetched, not {parts.scheme or 'a relative'} URL.",
            url=url,
        )
    host = parts.hostname
    if not host:
        raise BlockedAddressError("The URL has no host.", url=url)
    if not guard_private or _host_is_allow_listed(host):
        return
    try:
        infos = _resolve(host, parts.port or 443)
    except socket.gaierror as exc:
        raise HttpError(f"Cannot resolve {host}: {exc.strerror}.", url=url) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if _host_is_allow_listed(host, address):
            continue
        reason = _refusal_reason(address)
        if reason:
            raise BlockedAddressError(
                f"Refused to fetch {url}: {host} resolves to {address}, {reason}.", url=url
            )


def _check_connected_peer(sock: socket.socket, host: str) -> None:
    peer = ipaddress.ip_address(sock.getpeername()[0].split("%", 1)[0])
    if _host_is_allow_listed(host, peer):
        return
    reason = _refusal_reason(peer)
    if reason:
        sock.close()
        raise BlockedAddressError(
            f"Refused the connection to {host}: it reached {peer}, {reason}.", url=host
        )


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_connected_peer(sock, self.host)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_connected_peer(sock, self.host)
        return sock


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """Checks the address of every socket it opens, whatever DNS said a moment before."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }

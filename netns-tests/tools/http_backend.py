#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A load-balanced HTTP server: serves DIR on PORT of every IPv4 and IPv6
address of its namespace (the VIP on lo included), one thread per
connection, HTTP/1.1 with keep-alive, and a deep listen queue so that
thousands of fresh connections are not held back by SYN drops.

Usage: http_backend.py PORT DIR
"""
import functools
import http.server
import socket
import sys


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True
    request_queue_size = 1024

    def server_bind(self):
        # One socket for both families: IPv4 arrives as mapped addresses.
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        socket.socket.bind(self.socket, self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name = "backend"
        self.server_port = self.server_address[1]

    def handle_error(self, request, client_address):
        # Clients that go away mid-answer are part of the test (a
        # backend removed under an open connection); anything else is
        # reported as usual.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


def main():
    port, root = int(sys.argv[1]), sys.argv[2]
    handler = functools.partial(Handler, directory=root)
    with Server(("::", port), handler) as srv:
        srv.serve_forever()


if __name__ == "__main__":
    main()

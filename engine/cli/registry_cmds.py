"""``pyhelm push`` and ``pyhelm registry login|logout``: charts in OCI registries."""
from __future__ import annotations

import sys

import click

from engine.cli.errors import CommandError

CONNECTION_FLAGS = [
    click.option("--plain-http", is_flag=True, help="use insecure HTTP connections for the chart upload"),
    click.option("--insecure-skip-tls-verify", "insecure", is_flag=True, help="skip tls certificate checks"),
    click.option("--username", default="", help="registry username"),
    click.option("--password", default="", help="registry password or identity token"),
]


def _connection_flags(command):
    for option in reversed(CONNECTION_FLAGS):
        command = option(command)
    return command


@click.command()
@click.argument("chart")
@click.argument("remote")
@_connection_flags
def push(chart: str, remote: str, plain_http: bool, insecure: bool, username: str, password: str) -> None:
    """Push a chart archive to a registry: CHART.tgz oci://HOST/PATH."""
    from engine.registry.charts import push_chart
    from engine.registry.errors import RegistryError
    from engine.registry.fetch import clients

    if not remote.startswith("oci://"):
        raise CommandError(f'scheme prefix missing from remote (e.g. "oci://"): {remote}')
    try:
        reference, digest = push_chart(chart, remote, clients(plain_http, insecure, username, password))
    except FileNotFoundError:
        raise CommandError(f"stat {chart}: no such file or directory") from None
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
    click.echo(f"Pushed: {reference}\nDigest: {digest}")


@click.group()
def registry() -> None:
    """Log in to or out of a registry."""


@registry.command()
@click.argument("host")
@click.option("-u", "--username", default="", help="registry username")
@click.option("-p", "--password", default="", help="registry password or identity token")
@click.option("--password-stdin", is_flag=True, help="read password or identity token from stdin")
@click.option("--insecure", is_flag=True, help="allow connections to TLS registry without certs")
@click.option("--plain-http", is_flag=True, help="use insecure HTTP connections")
def login(host: str, username: str, password: str, password_stdin: bool, insecure: bool, plain_http: bool) -> None:
    """Log in to a registry (credentials saved in helm's registry config)."""
    from engine.registry import credentials
    from engine.registry.client import RegistryClient
    from engine.registry.errors import RegistryError

    if "/" in host or "://" in host:
        raise CommandError(f"invalid registry host {host!r}: give the host (and port) only, e.g. localhost:5000")
    if password_stdin:
        password = sys.stdin.read().strip()
    if not username or not password:
        raise CommandError("username and password are required (-u, and -p or --password-stdin)")
    try:
        RegistryClient(host, plain_http=plain_http, insecure=insecure, username=username, password=password).ping()
        credentials.store(host, username, password)
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
    click.echo("Login Succeeded")


@registry.command()
@click.argument("host")
def logout(host: str) -> None:
    """Remove the credentials of a registry."""
    from engine.registry import credentials
    from engine.registry.errors import RegistryError

    try:
        credentials.remove(host)
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
    click.echo(f"Removing login credentials for {host}")

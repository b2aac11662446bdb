"""``pyhelm create`` and ``pyhelm package``: make a new chart, build a chart archive."""
from __future__ import annotations

import os

import click


@click.command()
@click.argument("name")
@click.option("-p", "--starter", default="", help="the name or absolute path to Helm starter scaffold")
def create(name: str, starter: str) -> None:
    """Create a new chart with the given name."""
    from engine.chart.create import create_chart
    from engine.cli.errors import CommandError

    if starter:
        raise CommandError("starter scaffolds are not supported yet; create the chart without --starter")
    click.echo(f"Creating {name}")
    create_chart(os.path.basename(name), os.path.dirname(name) or ".")


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-d", "--destination", default=".", help="location to write the chart.")
@click.option("--version", "version", default=None, help="set the version on the chart to this semver version")
@click.option("--app-version", default=None, help="set the appVersion on the chart to this version")
@click.option("--sign", is_flag=True, help="use a PGP private key to sign this package")
@click.option("--key", default="", help="name of the key to use when signing (used with --sign)")
@click.option("--keyring", default=None, help="location of a keyring with the secret key (used with --sign)")
@click.option("--passphrase-file", default=None, help="location of a file holding the key's passphrase")
def package(paths: tuple[str, ...], destination: str, version: str | None, app_version: str | None, sign: bool,
            key: str, keyring: str | None, passphrase_file: str | None) -> None:
    """Package a chart directory into a chart archive (and sign it with --sign)."""
    from engine.chart.package import package_chart
    from engine.cli.errors import CommandError

    if sign and not key:
        raise CommandError("--key is required for signing a package")

    for path in paths:
        if not os.path.exists(path):
            raise CommandError(f"stat {path}: no such file or directory")
        if not os.path.isdir(path):
            raise CommandError(f"unable to detect chart at {path}/Chart.yaml: open {path}/Chart.yaml: not a directory")
        archive = package_chart(path, destination, version=version, app_version=app_version)
        if sign:
            _sign(str(archive), key, keyring, passphrase_file)
        click.echo(f"Successfully packaged chart and saved it to: {os.path.abspath(archive)}")


def _sign(archive: str, key: str, keyring: str | None, passphrase_file: str | None) -> None:
    from engine.cli.errors import CommandError
    from engine.provenance.errors import ProvenanceError
    from engine.provenance.prov import default_keyring, sign_archive

    try:
        sign_archive(archive, key, keyring or default_keyring().replace("pubring", "secring"), passphrase_file)
    except ProvenanceError as exc:
        os.unlink(archive)  # an unsigned archive must not pass for the signed one that was asked for
        raise CommandError(str(exc)) from None


@click.command()
@click.argument("path")
@click.option("--keyring", default=None, help="keyring containing public keys (default ~/.gnupg/pubring.gpg)")
def verify(path: str, keyring: str | None) -> None:
    """Verify that a chart archive has a valid provenance file from a trusted key."""
    from engine.cli.errors import CommandError
    from engine.provenance.errors import ProvenanceError
    from engine.sources.locate import read_bytes, verify_chart

    try:
        report = verify_chart(path, lambda: read_bytes(path + ".prov"), keyring or "")
    except FileNotFoundError as exc:
        raise CommandError(f"could not load provenance file {exc.filename}: open {exc.filename}: no such file or "
                           "directory" if exc.filename.endswith(".prov") else
                           f"stat {path}: no such file or directory") from None
    except ProvenanceError as exc:
        raise CommandError(str(exc)) from None
    click.echo(report, nl=False)

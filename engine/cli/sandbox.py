"""``pyhelm sandbox start|stop``: run the local Kubernetes API server and write a kubeconfig for it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from engine.cli.errors import CommandError


def default_kubeconfig() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "pyhelm" / "sandbox" / "kubeconfig"


def _kubeconfig_path(settings, option: Path | None) -> Path:
    """--kubeconfig (the global flag is moved in front of the subcommand), never the KUBECONFIG variable:
    the sandbox must not overwrite the kubeconfig of a real cluster."""
    given = option or (settings.kubeconfig_flag if settings else None)
    return Path(given) if given else default_kubeconfig()


def _pid_file(kubeconfig: Path) -> Path:
    return kubeconfig.with_name(kubeconfig.name + ".pid")


def _server_url(kubeconfig: Path) -> str | None:
    import yaml

    try:
        config = yaml.safe_load(kubeconfig.read_text())
        return config["clusters"][0]["cluster"]["server"]
    except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
        return None


def _responds(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url + "/version", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@click.group(name="sandbox")
def sandbox() -> None:
    """A local Kubernetes API server for trying charts and stacks without a cluster."""


@sandbox.command(name="start")
@click.option("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
@click.option("--kubeconfig", "kubeconfig", type=click.Path(path_type=Path), default=None,
              help="where to write the kubeconfig (context \"sandbox\")")
@click.option("--ready", is_flag=True, help="stand-in controllers mark workloads ready and Jobs/test Pods complete")
@click.option("--state", type=click.Path(path_type=Path), default=None,
              help="keep the objects in this file across restarts")
@click.option("--detach", is_flag=True, help="run in the background until `pyhelm sandbox stop`")
@click.pass_obj
def start(settings, port: int, kubeconfig: Path | None, ready: bool, state: Path | None, detach: bool) -> None:
    """Start the sandbox API server."""
    kubeconfig = _kubeconfig_path(settings, kubeconfig)
    pid_file = _pid_file(kubeconfig)
    if detach:
        _start_detached(port, kubeconfig, ready, state, pid_file)
        return
    from engine.sandbox import Sandbox

    try:
        server = Sandbox(ready=ready, state_file=str(state) if state else None, port=port).start()
    except OSError as exc:
        raise CommandError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    server.write_kubeconfig(kubeconfig)
    pid_file.write_text(str(os.getpid()))
    click.echo(f"Sandbox API server listening on {server.url}")
    click.echo(f"kubeconfig: {kubeconfig} (context \"sandbox\"); use: export KUBECONFIG={kubeconfig}")
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        while not stopping:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        pid_file.unlink(missing_ok=True)
        click.echo("Sandbox stopped" + (f"; objects saved to {state}" if state else ""))


def _start_detached(port: int, kubeconfig: Path, ready: bool, state: Path | None, pid_file: Path) -> None:
    if pid_file.exists() and (url := _server_url(kubeconfig)) and _responds(url):
        raise CommandError(f"a sandbox is already running at {url} (stop it with: pyhelm sandbox stop "
                           f"--kubeconfig {kubeconfig})")
    kubeconfig.parent.mkdir(parents=True, exist_ok=True)
    kubeconfig.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "engine.cli.main", "sandbox", "start", "--port", str(port),
            "--kubeconfig", str(kubeconfig)] + (["--ready"] if ready else []) + (["--state", str(state)] if state else [])
    log = open(kubeconfig.with_name(kubeconfig.name + ".log"), "ab")
    process = subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        url = _server_url(kubeconfig) if kubeconfig.exists() else None
        if url and _responds(url):
            click.echo(f"Sandbox API server listening on {url} (pid {process.pid})")
            click.echo(f"kubeconfig: {kubeconfig} (context \"sandbox\"); use: export KUBECONFIG={kubeconfig}")
            return
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise CommandError(f"the sandbox did not start; see {log.name}")


@sandbox.command(name="stop")
@click.option("--kubeconfig", "kubeconfig", type=click.Path(path_type=Path), default=None,
              help="the kubeconfig the sandbox was started with")
@click.pass_obj
def stop(settings, kubeconfig: Path | None) -> None:
    """Stop a sandbox started with --detach."""
    kubeconfig = _kubeconfig_path(settings, kubeconfig)
    pid_file = _pid_file(kubeconfig)
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        raise CommandError(f"no sandbox is running for {kubeconfig}") from None
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        raise CommandError(f"no sandbox is running for {kubeconfig} (removed a stale pid file)") from None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and pid_file.exists():
        time.sleep(0.1)
    click.echo("Sandbox stopped")

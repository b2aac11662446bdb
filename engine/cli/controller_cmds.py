"""``pyhelm controller`` (keep Stack resources applied in the cluster), ``pyhelm controller status`` (a table
of the Stacks and their conditions) and ``pyhelm stack push`` (a stack directory as an OCI artifact)."""
from __future__ import annotations

import os

import click

from engine.cli.errors import CommandError


def _duration(text: str, flag: str) -> float:
    from engine.controller.resource import positive_duration

    try:
        return positive_duration(text, flag)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


@click.group(invoke_without_command=True)
@click.option("--shard", default="", help="reconcile only the Stacks labelled pyhelm.dev/shard=SHARD (and elect "
                                          "a leader per shard)")
@click.option("--watch-label-selector", "selector", default="", help="reconcile only the Stacks matching this "
                                                                     "label selector")
@click.option("--concurrent", default=4, type=click.IntRange(min=1), show_default=True,
              help="Stacks reconciled at once")
@click.option("--release-concurrency", default=4, type=click.IntRange(min=1), show_default=True,
              help="releases of one Stack worked on at once")
@click.option("--cluster-concurrency", default=0, type=click.IntRange(min=0), show_default=True,
              help="Stacks working on one cluster (kube context) at once (0: no limit beyond --concurrent)")
@click.option("--leader-elect/--no-leader-elect", default=True, show_default=True,
              help="elect one active replica per shard with a Lease")
@click.option("--leader-election-namespace", default="", help="where the leader Lease lives (default: "
                                                              "POD_NAMESPACE, else default)")
@click.option("--lease-duration", default="15s", show_default=True, help="how long a leader's Lease lasts unrenewed")
@click.option("--renew-deadline", default="10s", show_default=True,
              help="how long a leader keeps trying to renew before it stops leading")
@click.option("--retry-period", default="2s", show_default=True, help="how often candidates try for the Lease")
@click.option("--backoff-base", default="1s", show_default=True, help="wait before the first retry of a failure")
@click.option("--backoff-max", default="5m", show_default=True, help="longest wait between retries")
@click.option("--http-address", default="0.0.0.0:8080", show_default=True,
              help="host:port serving /healthz, /readyz and /metrics (port 0: any free port)")
@click.pass_context
def controller(ctx: click.Context, shard: str, selector: str, concurrent: int, release_concurrency: int,
               cluster_concurrency: int, leader_elect: bool, leader_election_namespace: str, lease_duration: str, renew_deadline: str,
               retry_period: str, backoff_base: str, backoff_max: str, http_address: str) -> None:
    """Run the controller: keep every Stack resource applied, with the same plan/verify/apply as
    `pyhelm apply`."""
    if ctx.invoked_subcommand is not None:
        return
    from engine.controller.leader import Timing
    from engine.controller.loop import LoopOptions
    from engine.controller.reconciler import Connection
    from engine.controller.slots import ClusterSlots
    from engine.controller.runner import ControllerOptions, run_controller, shard_selector

    settings = ctx.obj
    timing = Timing(_duration(lease_duration, "--lease-duration"), _duration(renew_deadline, "--renew-deadline"),
                    _duration(retry_period, "--retry-period"))
    if not timing.retry_period < timing.renew_deadline < timing.lease_duration:
        raise CommandError("--retry-period < --renew-deadline < --lease-duration is needed, so a leader that "
                           "cannot renew stops before another replica may take over")
    options = ControllerOptions(
        Connection(settings.kubeconfig_flag or settings.kubeconfig, settings.kube_context, release_concurrency,
                   ClusterSlots(cluster_concurrency)),
        LoopOptions(shard_selector(shard, selector), concurrent, _duration(backoff_base, "--backoff-base"),
                    _duration(backoff_max, "--backoff-max")),
        shard, leader_elect, leader_election_namespace or os.environ.get("POD_NAMESPACE") or "default", timing,
        http_address)
    from engine.controller.runner import ControllerError
    from engine.kube.client import KubeError

    try:
        run_controller(options)
    except (ControllerError, KubeError, OSError) as exc:
        raise CommandError(f"controller: {exc}") from None


def _ready_condition(obj: dict) -> dict:
    conditions = (obj.get("status") or {}).get("conditions") or []
    stalled = next((c for c in conditions if c.get("type") == "Stalled" and c.get("status") == "True"), None)
    return stalled or next((c for c in conditions if c.get("type") == "Ready"), {})


@controller.command()
@click.option("-A", "--all-namespaces", is_flag=True, help="Stacks of every namespace")
@click.pass_obj
def status(settings, all_namespaces: bool) -> None:
    """Show the Stacks and their conditions."""
    from engine.cli.tables import table
    from engine.controller.resource import GROUP, PLURAL, VERSION
    from engine.kube.client import KubeClient, KubeError

    try:
        kube = KubeClient.from_config(settings.kubeconfig_flag or settings.kubeconfig, settings.kube_context,
                                      settings.namespace)
        where = "" if all_namespaces else f"/namespaces/{kube.namespace}"
        listing = kube.request("GET", f"/apis/{GROUP}/{VERSION}{where}/{PLURAL}")
    except KubeError as exc:
        raise CommandError(f"cannot list Stacks: {exc}") from None
    rows = [["NAMESPACE", "NAME", "ENVIRONMENT", "READY", "REASON", "REVISIONS", "MESSAGE"]]
    for obj in listing.get("items") or []:
        metadata, state = obj.get("metadata") or {}, obj.get("status") or {}
        condition = _ready_condition(obj)
        ready = "Stalled" if condition.get("type") == "Stalled" else condition.get("status", "Unknown")
        releases = state.get("releases") or []
        rows.append([metadata.get("namespace", ""), metadata.get("name", ""),
                     (obj.get("spec") or {}).get("environment") or "", ready, condition.get("reason", ""),
                     f"{sum(1 for r in releases if r.get('state') == 'deployed')}/{len(releases)} deployed",
                     condition.get("message", "")])
    if len(rows) == 1:
        click.echo("No Stacks found.")
        return
    click.echo(table(rows), nl=False)


@click.group()
def stack() -> None:
    """Stacks as OCI artifacts, for the controller."""


@stack.command()
@click.argument("path")
@click.argument("remote")
@click.option("--plain-http", is_flag=True, help="use insecure HTTP connections")
@click.option("--insecure-skip-tls-verify", "insecure", is_flag=True, help="skip tls certificate checks")
@click.option("--username", default="", help="registry username")
@click.option("--password", default="", help="registry password or identity token")
def push(path: str, remote: str, plain_http: bool, insecure: bool, username: str, password: str) -> None:
    """Push a stack (FILE: its directory, remembering the file; DIR: all of it) to oci://HOST/REPO:TAG."""
    from engine.controller.artifact import push_stack
    from engine.net.errors import DownloadError
    from engine.registry.errors import RegistryError
    from engine.registry.fetch import clients

    if not remote.startswith("oci://"):
        raise CommandError(f'scheme prefix missing from remote (e.g. "oci://"): {remote}')
    try:
        pushed = push_stack(path, remote, clients(plain_http, insecure, username, password))
    except (RegistryError, DownloadError, OSError) as exc:
        raise CommandError(str(exc)) from None
    click.echo(f"Pushed: {pushed.reference}\nDigest: {pushed.digest}\n"
               f"Pin it in a Stack: spec.source.oci.url: oci://{pushed.reference.host}/"
               f"{pushed.reference.repository}@{pushed.digest}")

"""How release commands print a release: Helm's status layout, its JSON/YAML forms and the live
resources table of ``status``."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

WORKLOAD_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController")


def human_duration(seconds: float) -> str:
    """kubectl's HumanDuration: 0s, 45s, 5m30s, 2h10m, 3d4h, 400d …"""
    seconds = int(seconds)
    if seconds < 0:
        return "0s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 120:
        return f"{seconds}s"
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if hours < 3:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    years = days // 365
    return f"{years}y{days % 365}d" if years < 8 and days % 365 else f"{years}y"


def _age(obj: dict[str, Any]) -> str:
    from engine.release.record import parse_time

    created = parse_time(str((obj.get("metadata") or {}).get("creationTimestamp") or ""))
    if created is None:
        return "<unknown>"
    return human_duration((dt.datetime.now(dt.timezone.utc) - created).total_seconds())


def resources_section(config, release) -> str:
    """``RESOURCES:`` — the release's live objects by kind (NAME, AGE), then the pods its workloads own."""
    from engine.action.apply import manifest_objects
    from engine.cli.tables import table

    groups: dict[str, list[list[str]]] = {}
    selectors: list[dict[str, str]] = []
    for obj in manifest_objects(release.manifest):
        live = config.kube.get(config.kube.ref(obj))
        if live is None:
            continue
        version = obj.get("apiVersion", "").rpartition("/")[2]
        groups.setdefault(f"{version}/{obj['kind']}", []).append([live["metadata"]["name"], _age(live)])
        if obj["kind"] in WORKLOAD_KINDS:
            match = (((live.get("spec") or {}).get("selector") or {}).get("matchLabels")) or {}
            if match:
                selectors.append(match)
    if selectors:
        pods = config.kube.lookup("v1", "Pod", release.namespace, "").get("items") or []
        groups["v1/Pod(related)"] = [
            [pod["metadata"]["name"], _age(pod)] for pod in pods
            if any(all((pod["metadata"].get("labels") or {}).get(k) == v for k, v in s.items()) for s in selectors)]
    text, header = "", True
    for name, rows in groups.items():
        text += f"==> {name}\n"
        if rows:
            text += table(([["NAME", "AGE"]] if header else []) + rows)
            header = False
        text += "\n"
    return f"RESOURCES:\n{text}\n" if groups else ""


def release_document(release, include_chart: bool = True) -> dict[str, Any]:
    """The release as Helm's ``-o json|yaml`` prints it (the stored record's JSON)."""
    from engine.release.record import to_json_ordered

    document = json.loads(to_json_ordered(release.to_dict()))
    if not include_chart:
        document.pop("chart", None)
    return document


def print_document(document: Any, output: str) -> None:
    """``-o json`` (Go's encoding: compact, one line, keys in the order given — wrap maps in GoMap to sort
    them) or ``-o yaml`` (sorted keys)."""
    if output == "json":
        from engine.release.record import to_json_ordered

        click.echo(to_json_ordered(document))
    else:
        from engine.gotemplate.goyaml import to_yaml

        click.echo(to_yaml(document), nl=False)


def print_release(release, output: str = "table", hide_notes: bool = False, show_metadata: bool = False,
                  resources: str = "", debug: bool = False) -> None:
    """Helm's status printer: the summary, resources, test runs, hooks and manifest on dry runs, notes."""
    from engine.cli.tables import ansic
    from engine.gotemplate.goyaml import to_yaml

    if output != "table":
        print_document(release_document(release, include_chart=show_metadata), output)
        return
    lines = [f"NAME: {release.name}"]
    if release.info.last_deployed:
        lines.append(f"LAST DEPLOYED: {ansic(release.info.last_deployed)}")
    lines += [f"NAMESPACE: {release.namespace}", f"STATUS: {release.info.status}", f"REVISION: {release.version}"]
    if show_metadata:
        lines += [f"CHART: {release.chart_name}", f"VERSION: {release.chart_version}",
                  f"APP_VERSION: {release.app_version}"]
    lines.append(f"DESCRIPTION: {release.info.description}")
    text = "\n".join(lines) + "\n" + resources
    tests = [h for h in release.hooks if "test" in h.events]
    if not tests:
        text += "TEST SUITE: None\n"
    for hook in tests:
        run = hook.last_run or {}
        if run.get("started_at"):
            text += (f"TEST SUITE:     {hook.name}\nLast Started:   {ansic(run.get('started_at', ''))}\n"
                     f"Last Completed: {ansic(run.get('completed_at', ''))}\nPhase:          {run.get('phase', '')}\n")
    if debug:
        text += "USER-SUPPLIED VALUES:\n" + (to_yaml(release.config) if release.config else "null\n") + "\n"
        text += "COMPUTED VALUES:\n" + to_yaml(computed_values(release)) + "\n"
    if release.info.description.lower() == "dry run complete" or debug:
        text += "HOOKS:\n" + "".join(f"---\n# Source: {h.path}\n{h.manifest}\n" for h in release.hooks)
        text += f"MANIFEST:\n{release.manifest}\n"
    if not hide_notes and release.info.notes:
        text += f"NOTES:\n{release.info.notes.strip()}\n"
    click.echo(text, nl=False)


def computed_values(release) -> dict[str, Any]:
    """The release's user values coalesced over its chart's defaults."""
    import copy

    from engine.values.coalesce import coalesce_tables

    return coalesce_tables(copy.deepcopy(release.config), copy.deepcopy(release.chart.get("values") or {})) or {}

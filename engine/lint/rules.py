"""values.yaml, templates/, dependencies and crds/ rules (Helm's lint/rules)."""
from __future__ import annotations

import os
import posixpath
import re
from typing import Any

from engine.lint.messages import ERROR, INFO, WARNING, Linter

_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN_KINDS = {"pod", "node", "secret", "endpoints", "resourcequota", "controllerrevision", "daemonset",
                    "deployment", "replicaset", "statefulset", "autoscaler", "cronjob", "job", "lease",
                    "endpointslice", "networkpolicy", "ingress", "podsecuritypolicy", "priorityclass",
                    "podpreset", "storageclass", "volumeattachment", "csinode"}
_SUBDOMAIN_TEXT = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                   "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                   "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
_LABEL_TEXT = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
               "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")


def lint_values(linter: Linter, overrides: dict[str, Any], skip_schema: bool) -> None:
    """values.yaml must parse and, with the overrides, satisfy values.schema.json."""
    from engine.gotemplate.gojson import json_kind
    from engine.gotemplate.goyaml import YAMLError, decode_utf8, load
    from engine.values.coalesce import coalesce_tables
    from engine.values.schema import validate_single
    import copy

    name = "values.yaml"
    path = os.path.join(linter.chart_dir, name)
    if not linter.rule(INFO, name, None if os.path.exists(path) else "file does not exist"):
        return
    with open(path, "rb") as handle:
        data = handle.read()
    try:  # Helm's lint reads values.yaml as one document (ReadValuesFile), not as the loader does
        values = load(decode_utf8(data))
    except YAMLError as exc:
        linter.rule(ERROR, name, f"unable to parse YAML: {exc}")
        return
    if values is not None and not isinstance(values, dict):
        linter.rule(ERROR, name, "unable to parse YAML: error unmarshaling JSON: while decoding JSON: json: cannot "
                                 f"unmarshal {json_kind(values)} into Go value of type common.Values")
        return
    values = values or {}
    schema_path = os.path.join(linter.chart_dir, "values.schema.json")
    if skip_schema or not os.path.exists(schema_path):
        return
    with open(schema_path, "rb") as handle:
        schema = handle.read()
    if not schema:
        return
    merged = coalesce_tables(copy.deepcopy(overrides), copy.deepcopy(values))
    problems = validate_single(merged, schema)
    linter.rule(ERROR, name, problems or None)


def _name_problem(kind: str, name: str) -> str | None:
    kind = kind.lower()
    if kind == "service":
        valid, text = len(name) <= 63 and _DNS_LABEL_1035.match(name), _LABEL_TEXT
        if len(name) > 63:
            text = "must be no more than 63 characters"
    elif kind in ("certificatesigningrequest", "role", "clusterrole", "rolebinding", "clusterrolebinding"):
        valid, text = name not in (".", "..") and "/" not in name and "%" not in name, "may not contain '/' or '%'"
    else:
        valid, text = len(name) <= 253 and _DNS_SUBDOMAIN.match(name), _SUBDOMAIN_TEXT
        if len(name) > 253:
            text = "must be no more than 253 characters"
    if valid:
        return None
    return (f'object name does not conform to Kubernetes naming requirements: "{name}": metadata.name: '
            f'Invalid value: "{name}": {text}')


def _documents(text: str) -> list[str]:
    from engine.chart.loader import split_yaml_documents

    return split_yaml_documents(text)


def _check_document(linter: Linter, file_name: str, document: str, rendered: str) -> bool:
    from engine.gotemplate.gojson import json_kind
    from engine.gotemplate.goyaml import YAMLError, load

    try:
        data = load(document)
    except YAMLError as exc:
        return linter.rule(ERROR, file_name, f"unable to parse YAML: {exc}")
    if data is None:
        return True
    if not isinstance(data, dict):
        return linter.rule(ERROR, file_name, "unable to parse YAML: error unmarshaling JSON: while decoding JSON: "
                                             f"json: cannot unmarshal {json_kind(data)} into Go value of type "
                                             "rules.k8sYamlStruct")
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    kind = str(data.get("kind") or "")
    name = str(metadata.get("name") or "")
    linter.rule(WARNING, file_name, _name_problem(kind, name))
    if kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet") and not (
            "matchLabels" in rendered or "matchExpressions" in rendered):
        linter.rule(ERROR, file_name, f'a {kind} must contain matchLabels or matchExpressions, and "{name}" does not')
    if kind == "List":
        for item in data.get("items") or []:
            annotations = ((item or {}).get("metadata") or {}).get("annotations") or {}
            if "helm.sh/resource-policy" in annotations:
                linter.rule(ERROR, file_name, "annotation 'helm.sh/resource-policy' within List objects are ignored")
                break
    return True


def lint_templates(linter: Linter, namespace: str, values: dict[str, Any], kube_version: str | None,
                   skip_schema: bool) -> None:
    """templates/ must exist, render in lint mode, and render to well-formed objects."""
    from engine.chart.errors import ChartError
    from engine.chart.loader import load_chart
    from engine.render.capabilities import offline_capabilities
    from engine.render.engine import render_templates
    from engine.render.errors import RenderError
    from engine.render.function_map import function_map
    from engine.render.pipeline import copy_chart_tree, release_object, RenderOptions
    from engine.render.values_object import as_template_values
    from engine.values.coalesce import coalesce_values
    from engine.values.dependencies import process_dependencies
    from engine.values.errors import ValuesError
    from engine.values.schema import validate_values

    directory = "templates/"
    path = os.path.join(linter.chart_dir, "templates")
    if not linter.rule(WARNING, directory, None if os.path.exists(path) else "directory does not exist"):
        return
    if not linter.rule(ERROR, directory, None if os.path.isdir(path) else "not a directory"):
        return
    try:
        chart = copy_chart_tree(load_chart(linter.chart_dir, any_api_version=True))
    except ChartError as exc:
        linter.rule(ERROR, directory, str(exc))
        return
    try:
        process_dependencies(chart, values)
        final = coalesce_values(chart, coalesce_values(chart, values))
        if not skip_schema:
            validate_values(chart, final)
    except ValuesError as exc:
        linter.rule(ERROR, directory, "values don't meet" in str(exc) and str(exc) or str(exc))
        return
    options = RenderOptions(release_name="test-release", namespace=namespace)
    top = {"Values": as_template_values(final), "Release": release_object(options),
           "Capabilities": offline_capabilities(kube_version)}
    try:
        rendered = render_templates(chart, top, function_map(lint_mode=True))
    except RenderError as exc:
        linter.rule(ERROR, directory, str(exc))
        return
    for template in chart.templates:
        file_name = template.name
        extension = posixpath.splitext(file_name)[1]
        linter.rule(ERROR, file_name, None if extension in (".yaml", ".yml", ".tpl", ".txt") else
                    f"file extension '{extension}' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt")
        if extension.lower() not in (".yaml", ".yml"):
            continue
        content = rendered.get(posixpath.join(chart.name, file_name), "")
        if not content.strip():
            continue
        first = next((line for line in content.splitlines() if line.strip()), "")
        if first.startswith((" ", "\t")):
            from engine.gotemplate.gofmt import go_quote

            linter.rule(WARNING, file_name, f"document starts with an illegal indent: {go_quote(first)}, which may "
                                            "cause parsing problems")
        for document in _documents(content):
            if not _check_document(linter, file_name, document, content):
                return


def lint_dependencies(linter: Linter) -> None:
    """charts/ and Chart.yaml dependencies must agree; names and aliases must be unique."""
    from engine.chart.errors import ChartError
    from engine.chart.loader import load_chart

    try:
        chart = load_chart(linter.chart_dir, any_api_version=True)
    except ChartError as exc:
        linter.rule(ERROR, "", f"unable to load chart\n\t{exc}")
        return
    declared = [d.name for d in chart.metadata.dependencies]
    vendored = [s.name for s in chart.subcharts]
    undeclared = [name for name in vendored if name not in declared]
    linter.rule(ERROR, linter.chart_dir, f"chart metadata is missing these dependencies: {','.join(undeclared)}"
                if undeclared else None)
    seen: set[str] = set()
    shadowing = []
    for dependency in chart.metadata.dependencies:
        key = dependency.alias or dependency.name
        if key in seen:
            shadowing.append(key)
        seen.add(key)
    linter.rule(ERROR, linter.chart_dir, f"multiple dependencies with name or alias: {','.join(shadowing)}"
                if shadowing else None)
    missing = [name for name in declared if name not in vendored]
    linter.rule(WARNING, linter.chart_dir, f"chart directory is missing these dependencies: {','.join(missing)}"
                if missing else None)


def lint_crds(linter: Linter) -> None:
    """Files in crds/ must be CustomResourceDefinitions of apiextensions.k8s.io."""
    from engine.chart.errors import ChartError
    from engine.chart.loader import load_chart
    from engine.gotemplate.goyaml import YAMLError, load
    from engine.render.pipeline import crd_objects

    path = os.path.join(linter.chart_dir, "crds")
    if not os.path.exists(path):
        return
    if not linter.rule(ERROR, "crds/", None if os.path.isdir(path) else "not a directory"):
        return
    try:
        chart = load_chart(linter.chart_dir, any_api_version=True)
    except ChartError as exc:
        linter.rule(ERROR, "crds/", str(exc))
        return
    for crd in crd_objects(chart):
        file_name = crd.path.split("/", 1)[1] if "/" in crd.path else crd.path
        for document in _documents(crd.text):
            try:
                data = load(document)
            except YAMLError as exc:
                linter.rule(ERROR, file_name, f"unable to parse YAML: {exc}")
                return
            if not isinstance(data, dict):
                continue
            linter.rule(ERROR, file_name, None if str(data.get("apiVersion", "")).startswith("apiextensions.k8s.io")
                        else "apiVersion is not in 'apiextensions.k8s.io'")
            linter.rule(ERROR, file_name, None if data.get("kind") == "CustomResourceDefinition"
                        else "object kind is not 'CustomResourceDefinition'")

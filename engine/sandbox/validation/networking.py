"""The networking group (``pkg/apis/networking/validation``): ValidateIngressSpec, validateIngressBackend,
ValidateNetworkPolicySpec."""
from __future__ import annotations

import ipaddress
import re
from typing import Any

from engine.sandbox.validation import names, pods
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules
from engine.sandbox.validation.selectors import label_selector

PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"]
_HTTP_PATH = re.compile(r"^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$")


def _backend(errors: Errors, backend: Any, path: str) -> None:
    backend = backend or {}
    service, resource = backend.get("service"), backend.get("resource")
    if service is not None and resource is not None:
        errors.invalid(path, "", "cannot set both resource and service backends")
        return
    if service is None and resource is None:
        errors.invalid(path, "", "resource or service backend is required")
        return
    if service is not None:
        if not service.get("name"):
            errors.required(f"{path}.service.name")
        else:
            errors.messages(f"{path}.service.name", service["name"], names.service_name(service["name"]))
        port = service.get("port") or {}
        if port.get("name") and port.get("number"):
            errors.invalid(path, "", "cannot set both port name & port number")
        elif port.get("name"):
            errors.messages(f"{path}.service.port.name", port["name"], names.port_name(port["name"]))
        elif port.get("number"):  # Go tests the number against 0: a zero port is no port
            errors.range(f"{path}.service.port.number", port["number"], 1, 65535)
        else:
            errors.required(path, "port name or number is required")


def _host(errors: Errors, host: str, path: str) -> None:
    try:
        ipaddress.ip_address(host)
        errors.invalid(path, host, "must be a DNS name, not an IP address")
        return
    except ValueError:
        pass
    errors.messages(path, host, names.wildcard_subdomain(host) if "*" in host else names.dns1123_subdomain(host))


def ingress(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    rules = spec.get("rules") or []
    if not rules and spec.get("defaultBackend") is None:
        errors.invalid("spec", None, "either `defaultBackend` or `rules` must be specified")
    if spec.get("defaultBackend") is not None:
        _backend(errors, spec["defaultBackend"], "spec.defaultBackend")
    if spec.get("ingressClassName"):
        errors.messages("spec.ingressClassName", spec["ingressClassName"],
                        names.dns1123_subdomain(spec["ingressClassName"]))
    for i, rule in enumerate(rules):
        rule, here = rule or {}, f"spec.rules[{i}]"
        if rule.get("host"):
            _host(errors, rule["host"], f"{here}.host")
        http = rule.get("http")
        if http is None:
            continue
        if not (http.get("paths") or []):
            errors.required(f"{here}.http.paths")
        for j, entry in enumerate(http.get("paths") or []):
            entry, at = entry or {}, f"{here}.http.paths[{j}]"
            kind = entry.get("pathType")
            if kind is None:
                errors.required(f"{at}.pathType", "pathType must be specified")
            elif kind not in PATH_TYPES:
                errors.not_supported(f"{at}.pathType", kind, PATH_TYPES)
            elif kind in ("Exact", "Prefix") and not str(entry.get("path") or "").startswith("/"):
                errors.invalid(f"{at}.path", entry.get("path", ""), "must be an absolute path")
            _backend(errors, entry.get("backend"), f"{at}.backend")
    for i, tls in enumerate(spec.get("tls") or []):
        for j, host in enumerate((tls or {}).get("hosts") or []):
            _host(errors, host, f"spec.tls[{i}].hosts[{j}]")


def _policy_ports(errors: Errors, ports: Any, path: str) -> None:
    for i, port in enumerate(ports or []):
        port, here = port or {}, f"{path}[{i}]"
        if port.get("protocol") is not None and port["protocol"] not in pods.PROTOCOLS:
            errors.not_supported(f"{here}.protocol", port["protocol"], pods.PROTOCOLS)
        if port.get("port") is not None:
            pods.port_number_or_name(errors, f"{here}.port", port["port"])
        if port.get("endPort") is not None:
            if not isinstance(port.get("port"), int):
                errors.required(f"{here}.port", "must be specified when endPort is specified")
            elif port["endPort"] < port["port"]:
                errors.invalid(f"{here}.endPort", port["endPort"], "must be greater than or equal to `port`")


def _cidr(errors: Errors, path: str, value: Any) -> Any:
    try:
        return ipaddress.ip_network(str(value or ""), strict=False)
    except ValueError:
        errors.invalid(path, value or "", "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")
        return None


def _ip_block(errors: Errors, block: dict[str, Any], path: str) -> None:
    """ValidateIPBlock: a CIDR, and exceptions that are strict subsets of it."""
    if not block.get("cidr"):
        errors.required(f"{path}.cidr")
        return
    network = _cidr(errors, f"{path}.cidr", block["cidr"])
    for i, text in enumerate(block.get("except") or []):
        excepted = _cidr(errors, f"{path}.except[{i}]", text)
        if network is None or excepted is None:
            continue
        if excepted.version != network.version or excepted.network_address not in network or \
                network.prefixlen >= excepted.prefixlen:
            errors.invalid(f"{path}.except[{i}]", text, "must be a strict subset of `cidr`")


def _peers(errors: Errors, peers: Any, path: str) -> None:
    """ValidateNetworkPolicyPeer: at least one peer kind; an ipBlock alone."""
    for i, peer in enumerate(peers or []):
        peer, here = peer or {}, f"{path}[{i}]"
        kinds = [key for key in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(key) is not None]
        label_selector(errors, peer.get("podSelector"), f"{here}.podSelector")
        label_selector(errors, peer.get("namespaceSelector"), f"{here}.namespaceSelector")
        if isinstance(peer.get("ipBlock"), dict):
            _ip_block(errors, peer["ipBlock"], f"{here}.ipBlock")
        if not kinds:
            errors.required(here, "must specify a peer")
        elif len(kinds) > 1 and "ipBlock" in kinds:
            errors.forbidden(here, "may not specify both ipBlock and another peer")


def network_policy(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    label_selector(errors, spec.get("podSelector"), "spec.podSelector")
    for i, kind in enumerate(spec.get("policyTypes") or []):
        if kind not in ("Ingress", "Egress"):
            errors.not_supported(f"spec.policyTypes[{i}]", kind, ["Egress", "Ingress"])
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(spec.get(direction) or []):
            _policy_ports(errors, (rule or {}).get("ports"), f"spec.{direction}[{i}].ports")
            _peers(errors, (rule or {}).get(peers), f"spec.{direction}[{i}].{peers}")


def _domain_prefixed_path(errors: Errors, path: str, value: str) -> None:
    """IsDomainPrefixedPath: ``host/path`` with a DNS subdomain host."""
    if not value:
        errors.required(path)
        return
    host, _, rest = value.partition("/")
    if not host or not rest:
        errors.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')
        return
    errors.messages(path, host, names.dns1123_subdomain(host))
    if not _HTTP_PATH.match(rest):
        errors.invalid(path, rest, "Invalid path (regex used for validation is '" + _HTTP_PATH.pattern[1:-2] + "')")


def ingress_class(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    """ValidateIngressClassSpec: a controller named by a domain-prefixed path of at most 250 characters."""
    controller = str((obj.get("spec") or {}).get("controller") or "")
    if len(controller) > 250:
        errors.too_long("spec.controller", 250, "characters")
    _domain_prefixed_path(errors, "spec.controller", controller)


RULES = {
    "Ingress": Rules(check=ingress),
    "NetworkPolicy": Rules(check=network_policy),
    "IngressClass": Rules(check=ingress_class),
}

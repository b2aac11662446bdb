"""The core group (``pkg/apis/core/validation``): ValidateConfigMap(Update), ValidateSecret(Update),
ValidateService(Update), ValidatePersistentVolumeClaim(Update), ValidateNamespace, ValidatePod(Update),
ValidateServiceAccount, ValidateResourceQuota."""
from __future__ import annotations

import base64
import binascii
import copy
import ipaddress
import json
from typing import Any

from engine.sandbox import quantity
from engine.sandbox.validation import meta, names, pods
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules, at, immutable
from engine.sandbox.validation.selectors import label_selector

MAX_CONFIG_SIZE = 1024 * 1024
SERVICE_RANGE = ipaddress.ip_network("10.96.0.0/12")
IP_FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"]
MAX_AFFINITY_SECONDS = 86400
SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"
NODE_PORTS = range(30000, 32768)
SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
_IMMUTABLE_SET = "field is immutable when `immutable` is set"


def _keys(errors: Errors, section: str, mapping: Any) -> None:
    for key in mapping or {}:
        errors.messages(f"{section}[{key}]", key, names.config_map_key(str(key)))


def config_map(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    _keys(errors, "data", obj.get("data"))
    _keys(errors, "binaryData", obj.get("binaryData"))
    for key in set(obj.get("data") or {}) & set(obj.get("binaryData") or {}):
        errors.invalid(f"data[{key}]", key, "duplicate of key present in binaryData")
    size = sum(len(k) + len(str(v).encode()) for k, v in (obj.get("data") or {}).items()) + \
        sum(len(k) + len(_decoded(v)) for k, v in (obj.get("binaryData") or {}).items())
    if size > MAX_CONFIG_SIZE:
        errors.too_long("[]", MAX_CONFIG_SIZE)


def _immutable_data(errors: Errors, new: dict[str, Any], old: dict[str, Any], sections: tuple[str, ...]) -> None:
    """validateConfigMapUpdate/ValidateSecretUpdate: an ``immutable: true`` object keeps its data for good."""
    if not old.get("immutable"):
        return
    if not new.get("immutable"):
        errors.forbidden("immutable", _IMMUTABLE_SET)
    for section in sections:
        if (new.get(section) or {}) != (old.get(section) or {}):
            errors.forbidden(section, _IMMUTABLE_SET)


def config_map_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    _immutable_data(errors, new, old, ("data", "binaryData"))


def _decoded(value: Any) -> bytes:
    try:
        return base64.b64decode(str(value or ""), validate=True)
    except (binascii.Error, ValueError):
        return str(value or "").encode()


_SECRET_KEYS = {"kubernetes.io/tls": ("tls.crt", "tls.key"), "kubernetes.io/ssh-auth": ("ssh-privatekey",),
                "kubernetes.io/dockercfg": (".dockercfg",), "kubernetes.io/dockerconfigjson": (".dockerconfigjson",)}


def secret(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    data = obj.get("data") or {}
    _keys(errors, "data", data)
    if sum(len(k) + len(_decoded(v)) for k, v in data.items()) > MAX_CONFIG_SIZE:
        errors.too_long("data", MAX_CONFIG_SIZE)
    kind = obj.get("type") or "Opaque"
    for key in _SECRET_KEYS.get(kind, ()):
        if key not in data:
            errors.required(f"data[{key}]")
        elif key.startswith(".docker"):
            try:
                json.loads(_decoded(data[key]))
            except ValueError as exc:
                errors.invalid(f"data[{key}]", "<secret contents redacted>", str(exc))
    if kind == "kubernetes.io/basic-auth" and not data.get("username") and not data.get("password"):
        errors.required("data[username]")
        errors.required("data[password]")
    if kind == "kubernetes.io/service-account-token" and \
            not (at(obj, "metadata", "annotations") or {}).get("kubernetes.io/service-account.name"):
        errors.required("metadata.annotations[kubernetes.io/service-account.name]")


def secret_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    immutable(errors, "type", new.get("type"), old.get("type"))
    _immutable_data(errors, new, old, ("data",))


def _service_ports(errors: Errors, spec: dict[str, Any]) -> None:
    ports = spec.get("ports") or []
    names_seen: set[str] = set()
    keys_seen: set[tuple] = set()
    for i, port in enumerate(ports):
        port, here = port or {}, f"spec.ports[{i}]"
        name = port.get("name") or ""
        if not name and len(ports) > 1:
            errors.required(f"{here}.name")
        elif name:
            errors.messages(f"{here}.name", name, names.dns1123_label(name))
            if name in names_seen:
                errors.duplicate(f"{here}.name", name)
            names_seen.add(name)
        errors.range(f"{here}.port", port.get("port"), 1, 65535)
        if port.get("protocol") not in pods.PROTOCOLS:
            errors.not_supported(f"{here}.protocol", port.get("protocol"), pods.PROTOCOLS)
        if spec.get("type") != "ExternalName":
            pods.port_number_or_name(errors, f"{here}.targetPort", port.get("targetPort"))
        node_port = port.get("nodePort")
        if node_port and spec.get("type") in ("ClusterIP", "ExternalName"):
            errors.forbidden(f"{here}.nodePort", f"may not be used when `type` is '{spec.get('type')}'")
        elif node_port and node_port not in NODE_PORTS:
            errors.invalid(f"{here}.nodePort", node_port, "provided port is not in the valid range. The range of "
                                                          "valid ports is 30000-32767")
        key = (port.get("port"), port.get("protocol"))
        if key in keys_seen:
            errors.duplicate(here, {"Name": name, "Protocol": port.get("protocol"), "AppProtocol": None,
                                    "Port": port.get("port"), "TargetPort": 0, "NodePort": 0})
        keys_seen.add(key)


def _affinity_timeout(errors: Errors, spec: dict[str, Any]) -> None:
    """validateClientIPAffinityConfig: a ClientIP affinity's timeout in (0, 86400]; none without ClientIP."""
    config = (spec.get("sessionAffinityConfig") or {}).get("clientIP")
    if spec.get("sessionAffinity") != "ClientIP":
        if spec.get("sessionAffinityConfig"):
            errors.invalid("spec.sessionAffinityConfig", spec["sessionAffinityConfig"],
                           f"must not be set when session affinity is {spec.get('sessionAffinity') or 'None'}")
        return
    seconds = (config or {}).get("timeoutSeconds")
    if isinstance(seconds, int) and not 0 < seconds <= MAX_AFFINITY_SECONDS:
        errors.invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", seconds,
                       f"must be greater than 0 and less than {MAX_AFFINITY_SECONDS}")


def _source_ranges(errors: Errors, obj: dict[str, Any]) -> None:
    """The LoadBalancer source ranges (the field, or else the annotation): LoadBalancer only, CIDRs only."""
    spec, annotations = obj.get("spec") or {}, (obj.get("metadata") or {}).get("annotations") or {}
    ranges = spec.get("loadBalancerSourceRanges") or []
    if ranges:
        path, text, values = "spec.LoadBalancerSourceRanges", f"[{' '.join(map(str, ranges))}]", ranges
    elif SOURCE_RANGES_ANNOTATION in annotations:
        text = str(annotations[SOURCE_RANGES_ANNOTATION])
        path, values = f"metadata.annotations[{SOURCE_RANGES_ANNOTATION}]", text.split(",")
    else:
        return
    if spec.get("type") != "LoadBalancer":
        errors.forbidden(path, "may only be used when `type` is 'LoadBalancer'")
    try:
        for value in values:
            ipaddress.ip_network(str(value).strip(), strict=False)
            if "/" not in str(value):
                raise ValueError(value)
    except ValueError:
        errors.invalid(path, text, "must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 ")


def service(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    kind = spec.get("type")
    if kind not in SERVICE_TYPES:
        errors.not_supported("spec.type", kind, SERVICE_TYPES)
    headless = spec.get("clusterIP") == "None"
    if kind == "ExternalName":
        external = spec.get("externalName") or ""
        if not external:
            errors.required("spec.externalName")
        else:
            errors.messages("spec.externalName", external, names.dns1123_subdomain(external.rstrip(".")))
        if spec.get("clusterIP"):
            errors.forbidden("spec.clusterIP", "may not be set for type ExternalName")
    elif not spec.get("ports") and not headless:
        errors.required("spec.ports")
    if headless and kind in ("LoadBalancer", "NodePort"):
        errors.invalid("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {kind} services")
    _source_ranges(errors, obj)
    _service_ports(errors, spec)
    for i, ip in enumerate(spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])):
        if ip in ("None", ""):
            continue
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            errors.invalid(f"spec.clusterIPs[{i}]", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
            continue
        if address not in SERVICE_RANGE:
            errors.invalid("spec.clusterIPs", [ip], f"failed to allocate IP {ip}: the provided network does not match "
                                                    "the current range")
    if spec.get("sessionAffinity") not in (None, "ClientIP", "None"):
        errors.not_supported("spec.sessionAffinity", spec["sessionAffinity"], ["ClientIP", "None"])
    _affinity_timeout(errors, spec)
    for i, ip in enumerate(spec.get("externalIPs") or []):
        try:
            ipaddress.ip_address(str(ip))
        except ValueError:
            errors.invalid(f"spec.externalIPs[{i}]", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
    if kind != "LoadBalancer":
        if spec.get("allocateLoadBalancerNodePorts") is not None:
            errors.forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'")
        if spec.get("loadBalancerClass") is not None:
            errors.forbidden("spec.loadBalancerClass", "may only be used when service type is 'LoadBalancer'")
    if spec.get("ipFamilyPolicy") is not None and spec["ipFamilyPolicy"] not in IP_FAMILY_POLICIES:
        errors.not_supported("spec.ipFamilyPolicy", spec["ipFamilyPolicy"], IP_FAMILY_POLICIES)
    policy = spec.get("externalTrafficPolicy")
    if policy and kind not in ("NodePort", "LoadBalancer"):
        errors.invalid("spec.externalTrafficPolicy", policy, "may only be set for externally-accessible services")
    elif policy not in (None, "Cluster", "Local"):
        errors.not_supported("spec.externalTrafficPolicy", policy, ["Cluster", "Local"])
    if spec.get("internalTrafficPolicy") not in (None, "Cluster", "Local"):
        errors.not_supported("spec.internalTrafficPolicy", spec["internalTrafficPolicy"], ["Cluster", "Local"])
    meta.labels(errors, spec.get("selector"), "spec.selector")


def service_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    """ValidateServiceUpdate: the allocated clusterIP stays (unless the type moves to or from ExternalName)."""
    new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    if "ExternalName" in (new_spec.get("type"), old_spec.get("type")):
        return
    if old_spec.get("clusterIP") and new_spec.get("clusterIP") != old_spec.get("clusterIP"):
        errors.invalid("spec.clusterIPs[0]", new_spec.get("clusterIP"), "may not change once set")


def pvc(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    modes = spec.get("accessModes") or []
    if not modes and not spec.get("dataSourceRef"):
        errors.required("spec.accessModes", "at least 1 access mode is required")
    for mode in modes:
        if mode not in ACCESS_MODES:
            errors.not_supported("spec.accessModes", mode, ACCESS_MODES)
    label_selector(errors, spec.get("selector"), "spec.selector")
    storage = at(spec, "resources", "requests", "storage")
    if storage is None:
        errors.required("spec.resources[storage]")
    else:
        try:
            if quantity.value(str(storage)) <= 0:  # ValidatePositiveQuantityValue
                errors.invalid("spec.resources[storage]", str(storage), "must be greater than zero")
        except quantity.QuantityError:
            pass
    if spec.get("volumeMode") not in (None, "Block", "Filesystem"):
        errors.not_supported("spec.volumeMode", spec["volumeMode"], ["Block", "Filesystem"])


def pvc_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    """ValidatePersistentVolumeClaimUpdate: only a bound claim may grow its requests."""
    new_spec, old_spec = dict(new.get("spec") or {}), dict(old.get("spec") or {})
    if at(old, "status", "phase") == "Bound":
        for spec in (new_spec, old_spec):
            spec.pop("resources", None)
            spec.pop("volumeAttributesClassName", None)
    if new_spec != old_spec:
        errors.forbidden("spec", "spec is immutable after creation except resources.requests and "
                                 "volumeAttributesClassName for bound claims")


def pod(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    pods.pod_spec(errors, obj.get("spec") or {}, "spec", warnings, is_pod=True)


_POD_MUTABLE = ("pod updates may not change fields other than `spec.containers[*].image`,"
                "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
                "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
                "previously negative)")


def pod_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    """ValidatePodUpdate: the new spec, with what may change taken from the old one, must equal the old spec."""
    new_spec, old_spec = copy.deepcopy(new.get("spec") or {}), old.get("spec") or {}
    for key in ("containers", "initContainers"):
        if len(new_spec.get(key) or []) == len(old_spec.get(key) or []):
            for container, before in zip(new_spec.get(key) or [], old_spec.get(key) or []):
                if isinstance(container, dict) and isinstance(before, dict) and "image" in before:
                    container["image"] = before["image"]
    deadline, old_deadline = new_spec.get("activeDeadlineSeconds"), old_spec.get("activeDeadlineSeconds")
    if deadline is not None and (old_deadline is None or 0 < deadline <= old_deadline):
        new_spec["activeDeadlineSeconds"] = old_deadline
        if old_deadline is None:
            new_spec.pop("activeDeadlineSeconds")
    old_tolerations = old_spec.get("tolerations") or []
    if all(t in (new_spec.get("tolerations") or []) for t in old_tolerations):
        if old_tolerations or "tolerations" in old_spec:
            new_spec["tolerations"] = old_tolerations
        else:
            new_spec.pop("tolerations", None)
    grace = old_spec.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and grace < 0 and new_spec.get("terminationGracePeriodSeconds") == 1:
        new_spec["terminationGracePeriodSeconds"] = grace
    if new_spec != old_spec:
        errors.forbidden("spec", _POD_MUTABLE)


def resource_quota(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    """ValidateResourceQuotaSpec: every hard limit a qualified resource name with a non-negative amount."""
    for section in ("hard",):
        for name, amount in ((obj.get("spec") or {}).get(section) or {}).items():
            here = f"spec.{section}[{name}]"
            errors.messages(here, name, names.qualified_name(name))
            try:
                if quantity.value(str(amount)) < 0:
                    errors.invalid(here, amount, "must be greater than or equal to 0")
            except quantity.QuantityError:
                pass


RULES = {
    "ConfigMap": Rules(check=config_map, update=config_map_update),
    "ResourceQuota": Rules(check=resource_quota),
    "Secret": Rules(check=secret, update=secret_update),
    "Service": Rules(name=names.service_name, check=service, update=service_update),
    "PersistentVolumeClaim": Rules(check=pvc, update=pvc_update),
    "Namespace": Rules(name=names.dns1123_label),
    "Pod": Rules(check=pod, update=pod_update),
}

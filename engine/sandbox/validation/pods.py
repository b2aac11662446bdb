"""Pod specs and pod templates (``pkg/apis/core/validation``: ValidatePodSpec, validateContainers,
validateContainerPorts, validateEnv, ValidateResourceRequirements, validateProbe, ValidateVolumes,
ValidatePodSecurityContext, ValidateSecurityContext, ValidateTolerations, ValidatePodTemplateSpec) and the warnings of ``pkg/api/pod/warnings.go``."""
from __future__ import annotations

from typing import Any

from engine.sandbox import quantity
from engine.sandbox.validation import meta, names
from engine.sandbox.validation.field import Errors

PROTOCOLS = ["SCTP", "TCP", "UDP"]
PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
RESTART_POLICIES = ["Always", "OnFailure", "Never"]
DNS_POLICIES = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]
_STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
TOLERATION_OPERATORS = ["Equal", "Exists"]
TAINT_EFFECTS = ["NoExecute", "NoSchedule", "PreferNoSchedule"]
_MAX_ID = 2147483647


def _ids(errors: Errors, context: Any, path: str, fields: tuple[str, ...]) -> None:
    """IsValidUserID / IsValidGroupID for the ids of a security context."""
    for name in fields:
        value = (context or {}).get(name)
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= _MAX_ID:
            errors.invalid(f"{path}.{name}", value, f"must be between 0 and {_MAX_ID}, inclusive")


def security_context(errors: Errors, context: Any, path: str) -> None:
    """ValidateSecurityContext (a container's)."""
    _ids(errors, context, path, ("runAsUser", "runAsGroup"))


def pod_security_context(errors: Errors, context: Any, path: str) -> None:
    """ValidatePodSecurityContext: user and group ids, fsGroup and supplementalGroups."""
    _ids(errors, context, path, ("runAsUser", "runAsGroup", "fsGroup"))
    for i, group in enumerate((context or {}).get("supplementalGroups") or []):
        if isinstance(group, int) and not 0 <= group <= _MAX_ID:
            errors.invalid(f"{path}.supplementalGroups[{i}]", group, f"must be between 0 and {_MAX_ID}, inclusive")


def tolerations(errors: Errors, values: Any, path: str) -> None:
    """ValidateTolerations: operator and effect from their sets, no value with Exists, a key with Equal."""
    for i, toleration in enumerate(values or []):
        toleration, here = toleration or {}, f"{path}[{i}]"
        key, operator = toleration.get("key") or "", toleration.get("operator") or "Equal"
        if key:
            errors.messages(f"{here}.key", key, names.qualified_name(key))
        elif operator != "Exists":
            errors.invalid(f"{here}.operator", operator, "operator must be Exists when `key` is empty, which means "
                                                         "\"match all values and all keys\"")
        if operator == "Exists" and toleration.get("value"):
            errors.invalid(f"{here}.operator", toleration.get("value"),
                           "value must be empty when `operator` is 'Exists'")
        elif operator == "Equal":
            errors.messages(f"{here}.value", toleration.get("value") or "",
                            names.label_value(toleration.get("value") or ""))
        elif operator != "Exists":
            errors.not_supported(f"{here}.operator", operator, TOLERATION_OPERATORS)
        if toleration.get("tolerationSeconds") is not None and toleration.get("effect") != "NoExecute":
            errors.invalid(f"{here}.effect", toleration.get("effect") or "",
                           "effect must be 'NoExecute' when `tolerationSeconds` is set")
        if toleration.get("effect"):
            if toleration["effect"] not in TAINT_EFFECTS:
                errors.not_supported(f"{here}.effect", toleration["effect"], TAINT_EFFECTS)


def port_number_or_name(errors: Errors, path: str, value: Any) -> None:
    if isinstance(value, str):
        errors.messages(path, value, names.port_name(value))
    else:
        errors.range(path, value, 1, 65535)


def _ports(errors: Errors, ports: Any, path: str, warnings: list[str]) -> None:
    seen_names: set[str] = set()
    seen: dict[tuple, int] = {}
    for i, port in enumerate(ports or []):
        port, here = port or {}, f"{path}[{i}]"
        if port.get("name"):
            errors.messages(f"{here}.name", port["name"], names.port_name(port["name"]))
            if port["name"] in seen_names:
                errors.duplicate(f"{here}.name", port["name"])
            seen_names.add(port["name"])
        if port.get("containerPort") is None:
            errors.required(f"{here}.containerPort")
        else:
            errors.range(f"{here}.containerPort", port["containerPort"], 1, 65535)
        if port.get("hostPort"):
            errors.range(f"{here}.hostPort", port["hostPort"], 1, 65535)
        if port.get("protocol") not in PROTOCOLS:
            errors.not_supported(f"{here}.protocol", port.get("protocol"), PROTOCOLS)
        key = (port.get("containerPort"), port.get("protocol"), port.get("hostPort"), port.get("hostIP"))
        if key in seen:
            warnings.append(f"{here}: duplicate port definition with {path}[{seen[key]}]")
        seen.setdefault(key, i)


def _env(errors: Errors, env: Any, path: str, warnings: list[str]) -> None:
    seen: set[str] = set()
    for i, var in enumerate(env or []):
        var, here = var or {}, f"{path}[{i}]"
        name = var.get("name") or ""
        if not name:
            errors.required(f"{here}.name")
        elif "=" in name:
            errors.invalid(f"{here}.name", name, "a valid environment variable name must consist only of printable "
                                                 "ASCII characters other than '='")
        if name in seen:
            warnings.append(f'{here}: hides previous definition of "{name}", which may be dropped when using apply')
        seen.add(name)
        if var.get("valueFrom") is not None and var.get("value"):
            errors.invalid(f"{here}.valueFrom", "", "may not be specified when `value` is not empty")


def _resources(errors: Errors, resources: Any, path: str) -> None:
    resources = resources or {}
    for section in ("limits", "requests"):
        for name, amount in (resources.get(section) or {}).items():
            here = f"{path}.{section}[{name}]"
            standard = name in _STANDARD_CONTAINER_RESOURCES or name.startswith("hugepages-")
            if not standard and "/" not in name:
                errors.invalid(here, name, "must be a standard resource type or fully qualified")
                errors.invalid(here, name, "must be a standard resource for containers")
            elif "/" in name:
                errors.messages(here, name, names.qualified_name(name))
            try:
                if quantity.value(amount) < 0:
                    errors.invalid(here, amount, "must be greater than or equal to 0")
            except quantity.QuantityError:
                pass
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
    for name, amount in requests.items():
        if name in limits:
            try:
                if quantity.value(amount) > quantity.value(limits[name]):
                    errors.invalid(f"{path}.requests", amount,
                                   f"must be less than or equal to {name} limit of {limits[name]}")
            except quantity.QuantityError:
                pass


def _probe(errors: Errors, probe: Any, path: str, liveness: bool) -> None:
    if probe is None:
        return
    handlers = [h for h in _HANDLERS if probe.get(h) is not None]
    if not handlers:
        errors.required(path, "must specify a handler type")
    for extra in handlers[1:]:
        errors.forbidden(f"{path}.{extra}", "may not specify more than 1 handler type")
    for key in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold",
                "terminationGracePeriodSeconds"):
        errors.non_negative(f"{path}.{key}", probe.get(key))
    if liveness and probe.get("successThreshold") not in (None, 1):
        errors.invalid(f"{path}.successThreshold", probe["successThreshold"], "must be 1")
    for handler in ("httpGet", "tcpSocket"):
        if isinstance(probe.get(handler), dict):
            if probe[handler].get("port") is None:
                errors.required(f"{path}.{handler}.port")
            else:
                port_number_or_name(errors, f"{path}.{handler}.port", probe[handler]["port"])
    if isinstance(probe.get("httpGet"), dict) and probe["httpGet"].get("scheme") not in (None, "HTTP", "HTTPS"):
        errors.not_supported(f"{path}.httpGet.scheme", probe["httpGet"]["scheme"], ["HTTP", "HTTPS"])


def _container(errors: Errors, container: dict[str, Any], path: str, volumes: set[str], init: bool,
               warnings: list[str]) -> None:
    name = container.get("name") or ""
    if not name:
        errors.required(f"{path}.name")
    else:
        errors.messages(f"{path}.name", name, names.dns1123_label(name))
    if not container.get("image"):
        errors.required(f"{path}.image")
    if container.get("imagePullPolicy") not in PULL_POLICIES:
        errors.not_supported(f"{path}.imagePullPolicy", container.get("imagePullPolicy"), PULL_POLICIES)
    if container.get("terminationMessagePolicy") not in ("File", "FallbackToLogsOnError"):
        errors.not_supported(f"{path}.terminationMessagePolicy", container.get("terminationMessagePolicy"),
                             ["File", "FallbackToLogsOnError"])
    _ports(errors, container.get("ports"), f"{path}.ports", warnings)
    _env(errors, container.get("env"), f"{path}.env", warnings)
    _resources(errors, container.get("resources"), f"{path}.resources")
    if not init:
        _probe(errors, container.get("livenessProbe"), f"{path}.livenessProbe", liveness=True)
        _probe(errors, container.get("readinessProbe"), f"{path}.readinessProbe", liveness=False)
        _probe(errors, container.get("startupProbe"), f"{path}.startupProbe", liveness=True)
    security_context(errors, container.get("securityContext"), f"{path}.securityContext")
    for i, mount in enumerate(container.get("volumeMounts") or []):
        mount, here = mount or {}, f"{path}.volumeMounts[{i}]"
        if not mount.get("name"):
            errors.required(f"{here}.name")
        elif mount["name"] not in volumes:
            errors.not_found(f"{here}.name", mount["name"])
        if not mount.get("mountPath"):
            errors.required(f"{here}.mountPath")


# validateVolumeSource checks the sources in this order: the second one found is the one refused.
VOLUME_SOURCES = ("hostPath", "gitRepo", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs",
                  "iscsi", "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "quobyte", "cinder", "cephfs",
                  "downwardAPI", "fc", "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume",
                  "azureDisk", "storageos", "configMap", "scaleIO", "projected", "csi", "ephemeral", "image")
_REQUIRED_SOURCE_FIELDS = {"secret": "secretName", "configMap": "name", "persistentVolumeClaim": "claimName"}


def volume_source(errors: Errors, volume: dict[str, Any], path: str) -> None:
    """validateVolumeSource: exactly one source, and the name each common source needs."""
    sources = [name for name in VOLUME_SOURCES if volume.get(name) is not None]
    if not sources:
        errors.required(path, "must specify a volume type")
    for extra in sources[1:]:
        errors.forbidden(f"{path}.{extra}", "may not specify more than 1 volume type")
    for source, required in _REQUIRED_SOURCE_FIELDS.items():
        if isinstance(volume.get(source), dict) and not volume[source].get(required):
            errors.required(f"{path}.{source}.{required}")


def pod_spec(errors: Errors, spec: dict[str, Any], path: str, warnings: list[str],
             restart_policies: list[str] = RESTART_POLICIES, claims: tuple[str, ...] = ()) -> None:
    """``claims``: volumes a StatefulSet's volumeClaimTemplates provide."""
    volumes: set[str] = set()
    for i, volume in enumerate(spec.get("volumes") or []):
        name = (volume or {}).get("name") or ""
        if not name:
            errors.required(f"{path}.volumes[{i}].name")
        else:
            errors.messages(f"{path}.volumes[{i}].name", name, names.dns1123_label(name))
            if name in volumes:
                errors.duplicate(f"{path}.volumes[{i}].name", name)
        volume_source(errors, volume or {}, f"{path}.volumes[{i}]")
        volumes.add(name)
    mountable = volumes | set(claims)
    containers = spec.get("containers") or []
    if not containers:
        errors.required(f"{path}.containers")
    seen: set[str] = set()
    for key, init in (("initContainers", True), ("containers", False)):
        for i, container in enumerate(spec.get(key) or []):
            container = container or {}
            _container(errors, container, f"{path}.{key}[{i}]", mountable, init, warnings)
            if container.get("name") and container["name"] in seen:
                errors.duplicate(f"{path}.{key}[{i}].name", container["name"])
            seen.add(container.get("name") or "")
    if spec.get("restartPolicy") not in restart_policies:
        errors.not_supported(f"{path}.restartPolicy", spec.get("restartPolicy"), restart_policies)
    if spec.get("dnsPolicy") not in DNS_POLICIES:
        errors.not_supported(f"{path}.dnsPolicy", spec.get("dnsPolicy"), DNS_POLICIES)
    errors.non_negative(f"{path}.terminationGracePeriodSeconds", spec.get("terminationGracePeriodSeconds"))
    if spec.get("activeDeadlineSeconds") is not None and spec["activeDeadlineSeconds"] <= 0:
        errors.invalid(f"{path}.activeDeadlineSeconds", spec["activeDeadlineSeconds"],
                       "must be between 1 and 2147483647, inclusive")
    if spec.get("serviceAccountName"):
        errors.messages(f"{path}.serviceAccountName", spec["serviceAccountName"],
                        names.dns1123_subdomain(spec["serviceAccountName"]))
    meta.labels(errors, spec.get("nodeSelector"), f"{path}.nodeSelector")
    pod_security_context(errors, spec.get("securityContext"), f"{path}.securityContext")
    tolerations(errors, spec.get("tolerations"), f"{path}.tolerations")


def pod_template(errors: Errors, template: Any, path: str, warnings: list[str],
                 restart_policies: list[str] = RESTART_POLICIES, claims: tuple[str, ...] = ()) -> None:
    """ValidatePodTemplateSpec: the template's labels and annotations, then its pod spec."""
    template = template or {}
    metadata = template.get("metadata") or {}
    meta.labels(errors, metadata.get("labels"), f"{path}.metadata.labels")
    meta.annotations(errors, metadata.get("annotations"), f"{path}.metadata.annotations")
    pod_spec(errors, template.get("spec") or {}, f"{path}.spec", warnings, restart_policies, claims)

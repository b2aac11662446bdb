"""Pod specs and pod templates (``pkg/apis/core/validation``: ValidatePodSpec, validateContainers,
validateContainerPorts, validateEnv, ValidateResourceRequirements, validateProbe, ValidateVolumes,
ValidatePodSecurityContext, ValidateSecurityContext, ValidateTolerations, ValidatePodTemplateSpec) and the warnings of ``pkg/api/pod/warnings.go``."""
from __future__ import annotations

from typing import Any

from engine.sandbox import quantity
from engine.sandbox.validation import meta, names, placement, volumes
from engine.sandbox.validation.field import OMIT, Errors

PROTOCOLS = ["SCTP", "TCP", "UDP"]
PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
RESTART_POLICIES = ["Always", "OnFailure", "Never"]
DNS_POLICIES = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]
_STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_LIFECYCLE_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")
SECCOMP_TYPES = ["Localhost", "RuntimeDefault", "Unconfined"]
FS_GROUP_CHANGE_POLICIES = ["Always", "OnRootMismatch"]
# The downward API: what ConvertDownwardAPIFieldLabel knows, and what an env variable may read of it.
_DOWNWARD_FIELDS = {"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
                    "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName", "spec.schedulerName",
                    "status.phase", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"}
ENV_FIELD_PATHS = ["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
                   "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"]
CONTAINER_RESOURCE_FIELDS = ["limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu",
                             "requests.ephemeral-storage", "requests.memory"]
_NOT_FOR_INIT = "may not be set for init containers without restartPolicy=Always"
_MAX_ID = 2147483647


def _ids(errors: Errors, context: Any, path: str, fields: tuple[str, ...]) -> None:
    """IsValidUserID / IsValidGroupID for the ids of a security context."""
    for name in fields:
        value = (context or {}).get(name)
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= _MAX_ID:
            errors.invalid(f"{path}.{name}", value, f"must be between 0 and {_MAX_ID}, inclusive")


def _seccomp(errors: Errors, profile: Any, path: str) -> None:
    """validateSeccompProfileField: a known type; a profile path exactly when the type is Localhost."""
    if not isinstance(profile, dict):
        return
    kind = profile.get("type")
    if kind not in SECCOMP_TYPES:
        errors.not_supported(f"{path}.type", kind, SECCOMP_TYPES)
    elif kind == "Localhost" and profile.get("localhostProfile") is None:
        errors.required(f"{path}.localhostProfile", "must be set when seccomp type is Localhost")
    elif kind == "Localhost":
        volumes.local_descending_path(errors, f"{path}.localhostProfile", str(profile["localhostProfile"]))
    elif profile.get("localhostProfile") is not None:
        errors.invalid(f"{path}.localhostProfile", OMIT, "can only be set when seccomp type is Localhost")


def security_context(errors: Errors, context: Any, path: str) -> None:
    """ValidateSecurityContext (a container's)."""
    _ids(errors, context, path, ("runAsUser", "runAsGroup"))
    context = context or {}
    _seccomp(errors, context.get("seccompProfile"), f"{path}.seccompProfile")
    if context.get("allowPrivilegeEscalation") is False:
        if context.get("privileged") is True:
            errors.invalid(path, OMIT, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true")
        if "CAP_SYS_ADMIN" in ((context.get("capabilities") or {}).get("add") or []):
            errors.invalid(path, OMIT, "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` "
                                       "CAP_SYS_ADMIN")


def pod_security_context(errors: Errors, context: Any, path: str) -> None:
    """ValidatePodSecurityContext: user and group ids, fsGroup and supplementalGroups."""
    _ids(errors, context, path, ("runAsUser", "runAsGroup", "fsGroup"))
    _seccomp(errors, (context or {}).get("seccompProfile"), f"{path}.seccompProfile")
    policy = (context or {}).get("fsGroupChangePolicy")
    if policy is not None and policy not in FS_GROUP_CHANGE_POLICIES:
        errors.not_supported(f"{path}.fsGroupChangePolicy", policy, FS_GROUP_CHANGE_POLICIES)
    for i, group in enumerate((context or {}).get("supplementalGroups") or []):
        if isinstance(group, int) and not 0 <= group <= _MAX_ID:
            errors.invalid(f"{path}.supplementalGroups[{i}]", group, f"must be between 0 and {_MAX_ID}, inclusive")


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
        if var.get("valueFrom") is not None:
            _env_value_from(errors, var, f"{here}.valueFrom")


def _env_from(errors: Errors, sources: Any, path: str) -> None:
    """validateEnvFrom: one of configMapRef or secretRef, a valid name, a prefix that is a valid variable name."""
    for i, source in enumerate(sources or []):
        source, here = source or {}, f"{path}[{i}]"
        if source.get("prefix") and "=" in str(source["prefix"]):
            errors.invalid(f"{here}.prefix", source["prefix"], "a valid environment variable name must consist only "
                                                                "of printable ASCII characters other than '='")
        refs = [key for key in ("configMapRef", "secretRef") if isinstance(source.get(key), dict)]
        for key in refs:
            name = str(source[key].get("name") or "")
            errors.messages(f"{here}.{key}.name", name, names.dns1123_subdomain(name))
        if not refs:
            errors.invalid(here, "", "must specify one of: `configMapRef` or `secretRef`")
        elif len(refs) > 1:
            errors.invalid(here, "", "may not have more than one field specified at a time")


def _key_selector(errors: Errors, selector: dict[str, Any], path: str) -> None:
    """validateConfigMapKeySelector / validateSecretKeySelector: a valid object name and key."""
    name = str(selector.get("name") or "")
    errors.messages(f"{path}.name", name, names.dns1123_subdomain(name))
    if not selector.get("key"):
        errors.required(f"{path}.key")
    else:
        errors.messages(f"{path}.key", selector["key"], names.config_map_key(str(selector["key"])))


def _field_selector(errors: Errors, selector: dict[str, Any], path: str) -> None:
    """validateObjectFieldSelector for an env variable's fieldRef."""
    field_path = str(selector.get("fieldPath") or "")
    if not selector.get("apiVersion"):
        errors.required(f"{path}.apiVersion")
    elif not field_path:
        errors.required(f"{path}.fieldPath")
    else:
        base, _, subscript = field_path.partition("[")
        if base not in _DOWNWARD_FIELDS:
            errors.invalid(f"{path}.fieldPath", field_path,
                           f"error converting fieldPath: field label not supported: {field_path}")
        elif subscript:
            key = subscript.rstrip("]").strip("'")
            if base in ("metadata.labels", "metadata.annotations"):
                errors.messages(path, key, names.qualified_name(key.lower() if "annotations" in base else key))
            else:
                errors.invalid(path, base, "does not support subscript")
        elif base not in ENV_FIELD_PATHS:
            errors.not_supported(f"{path}.fieldPath", base, ENV_FIELD_PATHS)


def _env_value_from(errors: Errors, var: dict[str, Any], path: str) -> None:
    """validateEnvVarValueFrom: exactly one source, each source well formed, and no ``value`` beside it."""
    source = var["valueFrom"] if isinstance(var["valueFrom"], dict) else {}
    count = 0
    if isinstance(source.get("fieldRef"), dict):
        count += 1
        _field_selector(errors, source["fieldRef"], f"{path}.fieldRef")
    if isinstance(source.get("resourceFieldRef"), dict):
        count += 1
        resource = source["resourceFieldRef"].get("resource") or ""
        if not resource:
            errors.required(f"{path}.resourceFieldRef.resource")
        elif resource not in CONTAINER_RESOURCE_FIELDS and not resource.startswith(("limits.hugepages-",
                                                                                    "requests.hugepages-")):
            errors.not_supported(f"{path}.resourceFieldRef.resource", resource, CONTAINER_RESOURCE_FIELDS)
    for kind in ("configMapKeyRef", "secretKeyRef"):
        if isinstance(source.get(kind), dict):
            count += 1
            _key_selector(errors, source[kind], f"{path}.{kind}")
    if count == 0:
        errors.invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or "
                                 "`secretKeyRef`")
    elif var.get("value"):
        errors.invalid(path, "", "may not be specified when `value` is not empty")
    elif count > 1:
        errors.invalid(path, "", "may not have more than one field specified at a time")


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


def _lifecycle(errors: Errors, lifecycle: Any, path: str) -> None:
    """validateLifecycle: each hook names exactly one handler."""
    for hook in ("postStart", "preStop"):
        handler = (lifecycle or {}).get(hook)
        if not isinstance(handler, dict):
            continue
        present = [h for h in _LIFECYCLE_HANDLERS if handler.get(h) is not None]
        if not present:
            errors.required(f"{path}.{hook}", "must specify a handler type")
        for extra in present[1:]:
            errors.forbidden(f"{path}.{hook}.{extra}", "may not specify more than 1 handler type")
        for kind in ("httpGet", "tcpSocket"):
            if isinstance(handler.get(kind), dict):
                port_number_or_name(errors, f"{path}.{hook}.{kind}.port", handler[kind].get("port"))


def _mounts(errors: Errors, mounts: Any, path: str, mountable: set[str]) -> None:
    """ValidateVolumeMounts (its subPath errors name the list, not the entry, as kube-apiserver's do)."""
    seen: set[str] = set()
    for i, mount in enumerate(mounts or []):
        mount, here = mount or {}, f"{path}[{i}]"
        if not mount.get("name"):
            errors.required(f"{here}.name")
        if mount.get("name") not in mountable:
            errors.not_found(f"{here}.name", mount.get("name") or "")
        if not mount.get("mountPath"):
            errors.required(f"{here}.mountPath")
        if mount.get("mountPath") in seen:
            errors.invalid(f"{here}.mountPath", mount["mountPath"], "must be unique")
        seen.add(mount.get("mountPath"))
        if mount.get("subPath"):
            volumes.local_descending_path(errors, f"{path}.subPath", str(mount["subPath"]))
        if mount.get("subPathExpr"):
            if mount.get("subPath"):
                errors.invalid(f"{here}.subPathExpr", mount["subPathExpr"],
                               "subPathExpr and subPath are mutually exclusive")
            volumes.local_descending_path(errors, f"{path}.subPathExpr", str(mount["subPathExpr"]))


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
    _env_from(errors, container.get("envFrom"), f"{path}.envFrom")
    _resources(errors, container.get("resources"), f"{path}.resources")
    if init and container.get("restartPolicy") != "Always":  # validateInitContainers: a plain init container
        for key in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
            if container.get(key) is not None:
                errors.forbidden(f"{path}.{key}", _NOT_FOR_INIT)
    else:
        _lifecycle(errors, container.get("lifecycle"), f"{path}.lifecycle")
        _probe(errors, container.get("livenessProbe"), f"{path}.livenessProbe", liveness=True)
        _probe(errors, container.get("readinessProbe"), f"{path}.readinessProbe", liveness=False)
        _probe(errors, container.get("startupProbe"), f"{path}.startupProbe", liveness=True)
    if init and container.get("restartPolicy") not in (None, "Always"):
        errors.not_supported(f"{path}.restartPolicy", container["restartPolicy"], ["Always"])
    security_context(errors, container.get("securityContext"), f"{path}.securityContext")
    _mounts(errors, container.get("volumeMounts"), f"{path}.volumeMounts", volumes)


def pod_spec(errors: Errors, spec: dict[str, Any], path: str, warnings: list[str],
             is_pod: bool = False) -> None:
    """ValidatePodSpec (``is_pod``: a Pod, not a template)."""
    mountable = volumes.volumes(errors, spec.get("volumes"), f"{path}.volumes")
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
    if spec.get("restartPolicy") not in RESTART_POLICIES:
        errors.not_supported(f"{path}.restartPolicy", spec.get("restartPolicy"), RESTART_POLICIES)
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
    placement.tolerations(errors, spec.get("tolerations"), f"{path}.tolerations")
    placement.affinity(errors, spec.get("affinity"), f"{path}.affinity")
    placement.topology_spread(errors, spec.get("topologySpreadConstraints"), f"{path}.topologySpreadConstraints")
    _host_network(errors, spec, path, is_pod)
    for key in ("hostname", "subdomain"):
        if spec.get(key):
            errors.messages(f"{path}.{key}", spec[key], names.dns1123_label(str(spec[key])))
    if spec.get("priorityClassName"):
        errors.messages(f"{path}.priorityClassName", spec["priorityClassName"],
                        names.dns1123_subdomain(str(spec["priorityClassName"])))
    if spec.get("dnsPolicy") == "None" and not (spec.get("dnsConfig") or {}).get("nameservers"):
        errors.required(f"{path}.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None")


def _host_network(errors: Errors, spec: dict[str, Any], path: str, is_pod: bool) -> None:
    """validateHostNetwork: a template may leave hostPort 0 (the pod's defaulting fills it in)."""
    if not spec.get("hostNetwork"):
        return
    for i, container in enumerate(spec.get("containers") or []):
        for j, port in enumerate((container or {}).get("ports") or []):
            host, container_port = (port or {}).get("hostPort") or 0, (port or {}).get("containerPort")
            if (is_pod or host != 0) and host != container_port:
                errors.invalid(f"{path}.containers[{i}].ports[{j}].hostPort", host,
                               "must match `containerPort` when `hostNetwork` is true")


def template_metadata(errors: Errors, template: dict[str, Any], path: str) -> None:
    metadata = template.get("metadata") or {}
    meta.labels(errors, metadata.get("labels"), f"{path}.labels")
    meta.annotations(errors, metadata.get("annotations"), f"{path}.annotations")


def pod_template(errors: Errors, template: Any, path: str, warnings: list[str]) -> None:
    """ValidatePodTemplateSpec: the template's labels and annotations (named ``template.labels``, without
    ``metadata``, as kube-apiserver names them), then its pod spec."""
    template = template or {}
    template_metadata(errors, template, path)
    pod_spec(errors, template.get("spec") or {}, f"{path}.spec", warnings)


def controller_template(errors: Errors, template: Any, path: str, restart_policies: list[str], kind: str) -> None:
    """What a workload requires of its pods beyond a valid template (the ``*ForReplicaSet`` family, ValidateJobSpec):
    its restart policies, and no active deadline except in a Job."""
    spec = (template or {}).get("spec") or {}
    if spec.get("restartPolicy") not in restart_policies:
        errors.not_supported(f"{path}.spec.restartPolicy", spec.get("restartPolicy"), restart_policies)
    if kind != "Job" and spec.get("activeDeadlineSeconds") is not None:
        errors.forbidden(f"{path}.spec.activeDeadlineSeconds", f"activeDeadlineSeconds in {kind} is not Supported")

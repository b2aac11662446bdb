"""Reading a stack file: Jinja2 templating, YAML, schema validation, environments and defaults applied."""
from __future__ import annotations

import json
import os
import re
from functools import cache
from types import SimpleNamespace
from importlib import resources
from typing import Any

from engine.stack.errors import StackError
from engine.stack.bases import with_bases
from engine.stack.hooks import DEFAULT_TIMEOUT, StackHook
from engine.stack.model import ReleaseSpec, Repository, SecretRef, Stack, parse_duration
from engine.stack.templating import render
from engine.stack.yamlpos import PositionedYAML

DEFAULT_STACK_FILE = "stack.yaml"

# stack-file option key → (ReleaseSpec field, converter)
_OPTIONS: dict[str, tuple[str, Any]] = {
    "namespace": ("namespace", str),
    "kubeContext": ("kube_context", str),
    "createNamespace": ("create_namespace", bool),
    "wait": ("wait", bool),
    "waitForJobs": ("wait_for_jobs", bool),
    "timeout": ("timeout", parse_duration),
    "atomic": ("atomic", bool),
    "cleanupOnFail": ("cleanup_on_fail", bool),
    "historyMax": ("history_max", int),
    "skipCRDs": ("skip_crds", bool),
    "skipSchemaValidation": ("skip_schema_validation", bool),
    "disableHooks": ("disable_hooks", bool),
    "force": ("force", bool),
    "takeOwnership": ("take_ownership", bool),
    "description": ("description", str),
    "verify": ("verify", bool),
    "keyring": ("keyring", str),
    "version": ("version", str),
    "chart": ("chart", str),
    "installed": ("installed", bool),
}


@cache
def stack_schema() -> dict[str, Any]:
    """schemas/stack.schema.json (shipped inside the package as engine/stack/stack.schema.json)."""
    text = resources.files("engine.stack").joinpath("stack.schema.json").read_text()
    return json.loads(text)


def _validate(document: PositionedYAML, environment: str | None, schema: dict[str, Any] | None = None) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema or stack_schema())
    data = _used_part(document.data, environment)
    errors = sorted(validator.iter_errors(data), key=lambda e: document.line_of(e.absolute_path))
    if not errors:
        return
    errors = _one_per_problem(errors)
    lines = []
    for error in errors[:10]:
        path = _offending_path(error)
        field = ".".join(str(p) for p in path) or "(top level)"
        lines.append(f"{document.where(path)}: {field}: {_describe(error)}")
    more = f"\n(and {len(errors) - 10} more)" if len(errors) > 10 else ""
    raise StackError("invalid stack file:\n" + "\n".join(lines) + more)


def _one_per_problem(errors: list[Any]) -> list[Any]:
    """Drop the echoes of another error: a key reported unknown only because its value is invalid (a failed
    ``allOf`` branch leaves its keys "unevaluated")."""
    invalid = {tuple(error.absolute_path) for error in errors
               if error.validator not in ("additionalProperties", "unevaluatedProperties")}

    def echo(error: Any) -> bool:
        if error.validator != "unevaluatedProperties":
            return False
        names = [n for n in re.findall(r"'([^']+)'", error.message) if n in (error.instance or {})]
        base = tuple(error.absolute_path)
        return bool(names) and all(any(path[:len(base) + 1] == (*base, name) for path in invalid) for name in names)

    return [error for error in errors if not echo(error)]


def _known_fields(schema: dict[str, Any]) -> set[str]:
    """The property names a (sub)schema of the stack schema allows, through its allOf parts and references."""
    names = set((schema.get("properties") or {}))
    for part in schema.get("allOf") or []:
        ref = part.get("$ref", "")
        names |= _known_fields(stack_schema()["$defs"].get(ref.rpartition("/")[2], {}) if ref else part)
    return names


def _used_part(data: dict[str, Any], environment: str | None) -> dict[str, Any]:
    """The document as one pass uses it: of the environments, only the chosen one is checked (a file may
    define thousands; each is checked when it is chosen)."""
    environments = data.get("environments")
    if not isinstance(environments, dict):
        return data
    chosen = {environment: environments[environment]} if environment in environments else {}
    return {**data, "environments": chosen}


@cache
def _environments_schema() -> dict[str, Any]:
    """The part of the schema the first pass relies on: ``environments`` (read before templating)."""
    full = stack_schema()
    return {"$defs": full["$defs"], "type": "object",
            "properties": {"environments": full["properties"]["environments"]}}


def _offending_path(error: Any) -> tuple[Any, ...]:
    """Where an error points: for an unknown key, the key itself rather than its mapping."""
    path = tuple(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        for name in re.findall(r"'([^']+)'", error.message):
            if name in error.instance:
                return (*path, name)
    return path


def _describe(error: Any) -> str:
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        import difflib

        names = [n for n in re.findall(r"'([^']+)'", error.message) if n in (error.instance or {})]
        known = sorted(_known_fields(error.schema))
        close = [match for name in names for match in difflib.get_close_matches(name, known, n=1)]
        hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else \
            "check its spelling against schemas/stack.schema.json"
        return f"unknown field {', '.join(repr(n) for n in names)}; {hint}"
    if error.validator == "oneOf" and isinstance(error.instance, dict) and {"env", "file"} <= set(error.instance):
        return "a secret value comes from env or from file, not both: keep one"
    if error.validator == "required":
        return error.message
    if error.validator == "pattern":
        return f"{error.instance!r} does not have the expected form ({error.schema.get('pattern')})"
    return error.message


def _read(path: str) -> str:
    if "\0" in path:
        raise StackError(f"cannot read stack file {path!r}: a path cannot contain a NUL character")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise StackError(f"cannot read stack file {path}: {exc.strerror}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise StackError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                         "save the stack file as UTF-8") from None


class _Passes:
    """The stack file's text rendered and parsed per pass; a text without templates is parsed once."""

    def __init__(self, text: str, path: str):
        self.text, self.path = text, path
        self.documents: dict[str, PositionedYAML] = {}

    def document(self, context: dict[str, Any]) -> PositionedYAML:
        rendered = render(self.text, context, self.path)
        if rendered not in self.documents:
            self.documents[rendered] = PositionedYAML(rendered, self.path)
        return self.documents[rendered]


def _mapping(document: PositionedYAML) -> dict[str, Any]:
    if not isinstance(document.data, dict):
        raise StackError(f"{document.source}: a stack file must be a YAML mapping with name and releases")
    return document.data


def _environment_section(passes: _Passes, environment: str | None) -> dict[str, Any] | None:
    """The chosen environment's section in one file (None when that file does not define it), read before
    templating (so it must not depend on templates)."""
    document = passes.document({"env": _lenient_env(environment)})
    _mapping(document)
    _validate(document, environment, _environments_schema())
    _check_paths(document)
    environments = document.data.get("environments") or {}
    if environment is None or environment not in environments:
        return None
    return environments[environment] or {}


def _list_some(names: list[str], shown: int = 20) -> str:
    """The first names of a list, and how many more there are (a file may define thousands)."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _environment_names(passes: _Passes) -> list[str]:
    data = passes.document({"env": _lenient_env(None)}).data
    environments = data.get("environments") if isinstance(data, dict) else None
    return sorted(environments) if isinstance(environments, dict) else []


def _bases_of(passes: _Passes) -> list[str]:
    """The files a stack file's ``bases:`` lists, read before templating (so they must not depend on it)."""
    document = passes.document({"env": _lenient_env(None)})
    bases = document.data.get("bases") if isinstance(document.data, dict) else None
    if bases is None:
        return []
    if not isinstance(bases, list) or not all(isinstance(base, str) and base and "\0" not in base for base in bases):
        raise StackError(f"{document.where(('bases',))}: bases: must be a list of stack file paths")
    return bases


def _all_passes(path: str) -> list[_Passes]:
    """The files a stack is made of (its file or its directory's files, each after the bases it lists)."""
    read: dict[str, _Passes] = {}

    def passes_of(name: str) -> _Passes:
        if name not in read:
            read[name] = _Passes(_read(name), name)
        return read[name]

    return [read[name] for name in with_bases(_stack_files(path), lambda name: _bases_of(passes_of(name)))]


def environment_names(path: str) -> list[str]:
    """The environments a stack (file or directory, with their bases) defines, without choosing one."""
    return sorted({name for one in _all_passes(path) for name in _environment_names(one)})


def _lenient_env(name: str | None) -> SimpleNamespace:
    """``env`` during the first pass: its name is known, its values not yet."""
    return SimpleNamespace(name=name, values=_Anything())


class _Anything(dict):
    def __getattr__(self, _name: str) -> "_Anything":
        return _Anything()

    def __missing__(self, _key: Any) -> "_Anything":
        return _Anything()

    def __str__(self) -> str:
        return ""


def _env_values(section: dict[str, Any], base_dir: str, path: str, missing_secret: str | None) -> dict[str, Any]:
    from engine.stack.values import deep_merge, read_values_file, secret_file_values

    values: dict[str, Any] = {}
    for values_file in section.get("valuesFiles") or []:
        deep_merge(values, read_values_file(values_file, base_dir, {}, path))
    for secret_file in section.get("secretFiles") or []:
        deep_merge(values, secret_file_values(base_dir, path, secret_file, missing_secret))
    deep_merge(values, section.get("values") or {})
    return values


def _apply_options(target: dict[str, Any], layer: dict[str, Any]) -> None:
    for key, (field, convert) in _OPTIONS.items():
        if key in layer and layer[key] is not None:
            target[field] = convert(layer[key])
    if layer.get("labels"):
        target.setdefault("labels", {}).update(layer["labels"])


def _apply_values(target: dict[str, Any], layer: dict[str, Any]) -> None:
    target.setdefault("values_files", []).extend(layer.get("valuesFiles") or [])
    target.setdefault("secret_files", []).extend(layer.get("secretFiles") or [])
    if layer.get("values"):
        target.setdefault("values", []).append(layer["values"])
    target.setdefault("set_values", {}).update(layer.get("set") or {})
    for key, ref in (layer.get("secretValues") or {}).items():
        target.setdefault("secret_values", {})[key] = SecretRef(env=ref.get("env"), file=ref.get("file"))


def _release(entry: dict[str, Any], layers: "_Layers", source: str, where: str, line: int) -> ReleaseSpec:
    """A release from its entry, with (in this order) the stack's and environment's defaults, the templates it
    inherits, its own settings and the environment's override of it."""
    templates = [layers.template(name, where) for name in entry.get("inherit") or []]
    override = layers.overrides.get(entry["name"]) or {}
    fields: dict[str, Any] = {"name": entry["name"], "namespace": "default", "chart": ""}
    for layer in (*layers.defaults, *templates, entry, override):
        _apply_options(fields, layer)
    for layer in (*templates, entry, override):
        _apply_values(fields, layer)
    if not fields["chart"]:
        raise StackError(f"{where}: release {entry['name']} has no chart: set chart, or inherit a template "
                         "that sets one")
    fields["needs"] = list(entry.get("needs") or [])
    fields["hooks"] = [_hook(hook, where) for layer in (*templates, entry, override)
                       for hook in layer.get("hooks") or []]
    return ReleaseSpec(**fields, source_line=line, source_file=source)


def _hook(entry: dict[str, Any], where: str) -> StackHook:
    return StackHook(tuple(entry["events"]), entry["command"], tuple(entry.get("args") or ()), bool(entry.get("shell")),
                parse_duration(entry["timeout"]) if entry.get("timeout") else DEFAULT_TIMEOUT, where)


class _Layers:
    """What every release of one load is built from: defaults, templates and the environment's overrides."""

    def __init__(self, defaults: list[dict[str, Any]], templates: dict[str, dict[str, Any]],
                 overrides: dict[str, Any]) -> None:
        self.defaults, self.templates, self.overrides = defaults, templates, overrides

    def template(self, name: str, where: str) -> dict[str, Any]:
        if name not in self.templates:
            import difflib

            close = difflib.get_close_matches(name, list(self.templates), n=1)
            hint = f"; did you mean {close[0]}?" if close else \
                f" (templates: {_list_some(sorted(self.templates)) or 'none defined'})"
            raise StackError(f"{where}: inherit: template {name!r} is not defined{hint}")
        return self.templates[name] or {}


def _stack_files(path: str) -> list[str]:
    """The files of a stack: the file itself, or a directory's *.yaml and *.yml files in name order."""
    if "\0" in path or not os.path.isdir(path):
        return [path]
    files = sorted(os.path.join(path, name) for name in os.listdir(path)
                   if name.endswith((".yaml", ".yml")) and os.path.isfile(os.path.join(path, name)))
    if not files:
        raise StackError(f"{path}: a stack directory must hold stack files (*.yaml); it has none")
    return files


@cache
def _fragment_schema() -> dict[str, Any]:
    """The schema of one file of a stack directory: like a stack file, but name and releases may be elsewhere."""
    return {**stack_schema(), "required": []}


def _merged_section(passes: list[_Passes], environment: str | None) -> tuple[dict[str, Any], _Passes | None]:
    """The environment's section and the file defining it (exactly one file of a stack may)."""
    found = [(p, _environment_section(p, environment)) for p in passes]
    defined = [(one, section) for one, section in found if section is not None]
    if environment is not None and not defined:
        import difflib

        known = sorted({name for p in passes for name in _environment_names(p)})
        where = passes[0].path if len(passes) == 1 else os.path.dirname(passes[0].path)
        close = difflib.get_close_matches(environment, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise StackError(f'{where}: environment "{environment}" is not defined (environments: '
                         f'{_list_some(known) or "none defined"}){hint}')
    if len(defined) > 1:
        raise StackError(f"environment {environment} is defined in both {defined[0][0].path} and "
                         f"{defined[1][0].path}; define it in one file")
    return (defined[0][1], defined[0][0]) if defined else ({}, None)


def _check_overrides(overrides: dict[str, Any], names: list[str], environment: str | None,
                     defining: _Passes | None) -> None:
    """Every release an environment overrides must exist; the message points at the override."""
    import difflib

    for name in overrides:
        if name in names:
            continue
        document = defining.document({"env": _lenient_env(environment)}) if defining else None
        where = document.where(("environments", environment, "releases", name)) if document else ""
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]}?" if close else "; remove the override or add the release"
        raise StackError(f"{where}: environments.{environment}.releases.{name}: overrides release {name}, which "
                         f"the stack does not define{hint}")


def _single(documents: list[PositionedYAML], key: str, path: str) -> tuple[Any, PositionedYAML | None]:
    """A top-level setting that one file of a stack gives (several files may repeat the same value)."""
    given = [(document, document.data[key]) for document in documents if key in document.data]
    for document, value in given[1:]:
        if value != given[0][1]:
            raise StackError(f"{document.where((key,))}: {key}: differs from {given[0][0].where((key,))}; a stack "
                             "has one")
    return (given[0][1], given[0][0]) if given else (None, None)


def load_stack(path: str = DEFAULT_STACK_FILE, environment: str | None = None,
               missing_secret: str | None = None, env_overrides: dict[str, Any] | None = None) -> Stack:
    """Load and validate a stack (a file, or a directory of files making one stack) for ``environment``;
    raises StackError naming file, line and field. ``missing_secret`` stands in for environment secret files
    that cannot be decrypted here; ``env_overrides`` (from the command line) are layered over the
    environment's values."""
    passes = _all_passes(path)
    files = [one.path for one in passes]
    base_dir = os.path.abspath(path) if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    section, defining = _merged_section(passes, environment)
    env_values = _env_values(section, base_dir, path, missing_secret)
    if env_overrides:
        from engine.stack.values import deep_merge

        deep_merge(env_values, env_overrides)
    documents = []
    for one in passes:
        try:
            document = one.document({"env": SimpleNamespace(name=environment, values=env_values)})
        except StackError as exc:
            known = _environment_names(one) if environment is None else []
            if known:
                raise StackError(f"{exc}; choose an environment with -e ({_list_some(known)})") from None
            raise
        _mapping(document)
        _validate(document, environment, _fragment_schema() if len(passes) > 1 else None)
        _check_paths(document)
        documents.append(document)
    name, _ = _single(documents, "name", path)
    if name is None:
        raise StackError(f"{path}: no file of the stack gives its name (name: at the top of one file)")
    defaults, _ = _single(documents, "defaults", path)
    templates: dict[str, Any] = {}
    for document in documents:
        for template, settings in (document.data.get("templates") or {}).items():
            if template in templates:
                raise StackError(f"{document.where(('templates', template))}: template {template} is defined "
                                 "twice")
            templates[template] = settings
    entries = [(document, i, entry) for document in documents for i, entry in enumerate(document.data.get("releases")
                                                                                          or [])]
    overrides = section.get("releases") or {}
    _check_overrides(overrides, [entry["name"] for _d, _i, entry in entries], environment, defining)
    layers = [defaults or {}, section.get("defaults") or {}]
    if section.get("kubeContext"):
        layers.append({"kubeContext": section["kubeContext"]})
    built = _Layers(layers, templates, overrides)
    releases = [_release(entry, built, document.source, document.where(("releases", i)),
                         document.line_of(("releases", i)))
                for document, i, entry in entries]
    _check_unique(releases)
    repositories = [Repository(name=r["name"], url=r["url"], username_env=r.get("usernameEnv"),
                               password_env=r.get("passwordEnv"), ca_file=r.get("caFile"),
                               cert_file=r.get("certFile"), key_file=r.get("keyFile"),
                               insecure_skip_tls_verify=r.get("insecureSkipTLSVerify", False),
                               plain_http=r.get("plainHttp", False), verify=r.get("verify", False),
                               keyring=r.get("keyring"))
                    for document in documents for r in document.data.get("repositories") or []]
    hooks = [_hook(hook, document.where(("hooks", i))) for document in documents
             for i, hook in enumerate(document.data.get("hooks") or [])]
    lock, _ = _single(documents, "lock", path)
    return Stack(name, path, environment, env_values, repositories, releases, section.get("kubeContext"),
                 base=base_dir, hooks=hooks, files=files, env_values_files=list(section.get("valuesFiles") or []),
                 env_secret_files=list(section.get("secretFiles") or []),
                 lock_namespace=(lock or {}).get("namespace") or _default_namespace(layers))


def _default_namespace(defaults: list[dict[str, Any]]) -> str:
    """The namespace a release gets unless it names its own: the stack's, then the environment's defaults."""
    return next((layer["namespace"] for layer in reversed(defaults) if layer.get("namespace")), "default")


_FREE_FORM = {"values", "set"}  # chart values: any text is allowed there


def _check_paths(document: PositionedYAML) -> None:
    """File names, chart references and other settings cannot hold a NUL (no system call accepts one)."""
    pending: list[tuple[tuple[Any, ...], Any]] = [((), document.data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict):
            pending.extend(((*path, k), v) for k, v in value.items() if k not in _FREE_FORM)
        elif isinstance(value, list):
            pending.extend(((*path, i), v) for i, v in enumerate(value))
        elif isinstance(value, str) and "\0" in value:
            field = ".".join(str(p) for p in path)
            raise StackError(f"{document.where(path)}: {field}: contains a NUL character; remove it")


def _check_unique(releases: list[ReleaseSpec]) -> None:
    seen: dict[str, ReleaseSpec] = {}
    for release in releases:
        if release.id in seen:
            first = seen[release.id]
            earlier = first.where if first.source_file != release.source_file else f"line {first.source_line}"
            raise StackError(f"{release.where}: release {release.id} is defined twice (first at {earlier})")
        seen[release.id] = release

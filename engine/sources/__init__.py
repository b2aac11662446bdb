"""Where charts come from: locating the chart a command or a stack names (a directory, an archive,
``repo/name``, ``--repo URL name``, an archive URL, ``oci://``) with its provenance checked on request, and
fetching a chart's dependencies.

This package sits above chart repositories (engine.repo), OCI registries (engine.registry, which builds on
engine.repo's paths, caches and version rules) and provenance (engine.provenance); the CLI and the stack
engine both use it, so a chart is found and verified the same way everywhere.
"""

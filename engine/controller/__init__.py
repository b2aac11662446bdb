"""``pyhelm controller``: keeps Stack custom resources applied in the cluster with the stack engine's own
plan/verify/apply library, using Kubernetes for storage (status, release Secrets), coordination (Leases) and
scale-out (label-selector shards)."""

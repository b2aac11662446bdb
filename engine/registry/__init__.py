"""OCI registries: Helm charts pushed and pulled as OCI artifacts with Helm's media types and layout."""

"""Registry failures, worded for one clear line."""


class RegistryError(Exception):
    """A registry, credential or artifact problem."""

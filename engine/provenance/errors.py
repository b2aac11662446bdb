"""Provenance failures."""


class ProvenanceError(Exception):
    """A signing or verification failure, worded as helm words it where helm has words for it."""

"""Provenance files (``CHART.tgz.prov``): OpenPGP clear-signed chart metadata and archive digests, as Helm
writes and checks them. Signing and signature checks are done by GnuPG (``gpg``)."""

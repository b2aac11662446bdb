"""Shared pytest configuration: make tests/ importable as a package root for helper modules."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

"""A postsync hook: runs after a release is applied (a real one would call the service)."""
import os
import sys

print(f"smoke test of {sys.argv[1]} in {os.environ['PYHELM_NAMESPACE']}: ok")

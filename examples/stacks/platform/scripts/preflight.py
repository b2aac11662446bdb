"""A prepare hook: runs before planning and says what it checked (here: that the hook sees its context)."""
import os

print(f"preflight: stack {os.environ['PYHELM_STACK']}, environment {os.environ['PYHELM_ENVIRONMENT']}: ok")

"""Use cases: orchestrate ports; never import an adapter (the container hands them in)."""

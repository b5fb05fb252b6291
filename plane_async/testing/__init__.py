"""Test helpers: a Plane-compatible fake server."""

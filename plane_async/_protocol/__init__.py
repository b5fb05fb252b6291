"""Plane's wire protocol as pure functions, and the checks on what a caller passes."""

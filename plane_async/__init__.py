"""plane_async: async-first client for the Plane REST API."""

from ._version import __version__

__all__ = ["__version__"]

"""pytest plugin: ``plane_server`` and ``plane`` fixtures."""

"""The namespaces' whole flows run against FakePlane in process, on the virtual clock."""

from tests.support.in_process import plane_server_options, pytest_asyncio_loop_factories

__all__ = ["plane_server_options", "pytest_asyncio_loop_factories"]

"""Helpers shared by the tests: servers, fixtures, clocks and subprocess runners."""

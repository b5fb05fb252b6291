"""Paged reads: cursors, pages, the read engine, keyset tracking, guards and read-ahead."""

"""HTTP: one exchange over aiohttp, the retry loop, the wait budget, presigned storage."""

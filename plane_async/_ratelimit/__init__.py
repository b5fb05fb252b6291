"""Rate limiting: the value types and protocol, the in-process window, the Redis backend."""

"""The blocking client: one event loop in a thread, and namespaces generated from the async ones."""

"""What the client reports while it works: the observer bus, logs, OpenTelemetry."""

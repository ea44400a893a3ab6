"""The transport: the client, its connections, reading, retries and SSE."""

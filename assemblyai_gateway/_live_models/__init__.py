"""The gateway's live model list: reading, caching and remembering it."""

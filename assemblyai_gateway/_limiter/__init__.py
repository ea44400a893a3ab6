"""Rate limiting: the adaptive limiter, its decisions and its queue of waiters."""

"""What every adapter shares: the per-call argument rule and the owned client."""

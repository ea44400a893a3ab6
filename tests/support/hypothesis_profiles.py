"""How many examples the property tests try: a bounded share in ``make test``, all in ``test-long``.

Two hypothesis profiles are registered:

* ``bounded`` (the default, what ``make test`` and CI run): a quarter of each test's
  full count, so the suite stays quick on a loaded two-core machine;
* ``long`` (``make test-long``, or ``pytest --hypothesis-profile=long``): every test's
  full count.

A test that names its full count writes ``max_examples=examples(150)``; a test that names
none gets the profile's ``max_examples`` (25 or hypothesis' default of 100). The
assertions are the same under both profiles; only the number of inputs changes.
"""

from __future__ import annotations

import os

from hypothesis import settings

__all__ = ["BOUNDED", "LONG", "PROFILE_ENV", "examples", "load_profile"]

BOUNDED = "bounded"
LONG = "long"
# HYPOTHESIS_PROFILE=long works too, e.g. for a single file run by hand.
PROFILE_ENV = "HYPOTHESIS_PROFILE"

# hypothesis' own default count: the full count of a test that names none.
_FULL_EXAMPLES = 100
_BOUNDED_SHARE = 4

settings.register_profile(LONG, max_examples=_FULL_EXAMPLES)
settings.register_profile(BOUNDED, max_examples=_FULL_EXAMPLES // _BOUNDED_SHARE)


def load_profile() -> None:
    """Load ``$HYPOTHESIS_PROFILE`` (default: bounded); ``--hypothesis-profile`` wins."""
    settings.load_profile(os.environ.get(PROFILE_ENV) or BOUNDED)


def examples(full: int) -> int:
    """``full`` under the long profile; the loaded profile's share of it otherwise.

    Read when a test module is imported, after the profile was chosen.
    """
    return max(1, full * settings().max_examples // _FULL_EXAMPLES)

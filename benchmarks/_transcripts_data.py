"""Synthetic meeting transcripts for the transcripts benchmark: seeded, speech-paced.

Each call is an hour (or what is asked) of four speakers taking turns of 6 to 30 words
at 150 words a minute, a typical speaking rate; the words come from a fixed bank of
meeting sentences, so the text reads like a meeting and tokenizes like English.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["WORDS_PER_MINUTE", "synthetic_calls"]

WORDS_PER_MINUTE = 150
_SENTENCES = (
    "Let's look at the launch checklist before we move on.",
    "The Android build is blocked on the payment screen crash.",
    "QA needs the release candidate by Wednesday noon.",
    "Marketing wants the pricing page live on the same day.",
    "Legal still has to approve the refund wording.",
    "I can take the audit log export, it should be a small change.",
    "Support saw three escalations from enterprise accounts this week.",
    "We agreed to credit the affected customers for one month.",
    "The EU region depends on the data processing addendum.",
    "Can we move the design review to Thursday afternoon?",
    "Finance is fine with fifteen percent off the starter tier.",
    "The on-call rotation changes next Monday.",
    "Let's not promise a date until the migration has run.",
    "I'll write up the decision and share it in the channel.",
    "Does anyone object to shipping on Friday?",
    "The dashboard shows latency back under two hundred milliseconds.",
)
_SPEAKERS = "ABCD"


def synthetic_calls(
    hours: float, *, minutes_per_call: int = 60, seed: int = 21
) -> list[dict[str, Any]]:
    """``hours`` of calls as transcript API fixtures (``id``, ``utterances``)."""
    rng = random.Random(seed)
    total_ms = int(hours * 3_600_000)
    call_ms = minutes_per_call * 60_000
    calls = []
    for number, offset in enumerate(range(0, total_ms, call_ms), start=1):
        length = min(call_ms, total_ms - offset)
        utterances, clock = [], 0
        while clock < length:
            words: list[str] = []
            target = rng.randint(6, 30)
            while len(words) < target:
                words += rng.choice(_SENTENCES).split()
            duration = len(words) * 60_000 // WORDS_PER_MINUTE
            utterances.append(
                {
                    "speaker": rng.choice(_SPEAKERS),
                    "text": " ".join(words),
                    "start": clock,
                    "end": clock + duration,
                }
            )
            clock += duration + 300
        calls.append({"id": f"bench-call-{number:02d}", "utterances": utterances})
    return calls

"""The one token estimate: never below the emulator's count, langchain-core's, or a
token per CJK character; a sum of parts is never below the whole."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from assemblyai_gateway import estimate_tokens
from assemblyai_gateway.emulator import count_tokens
from assemblyai_gateway.tokens import CHARS_PER_TOKEN


def test_plain_english_is_about_a_token_per_four_characters() -> None:
    text = "The quarterly review covers hiring, budget and the roadmap for next year."
    assert estimate_tokens(text) == math.ceil(len(text) / CHARS_PER_TOKEN)


def test_short_words_and_marks_count_one_token_each() -> None:
    assert estimate_tokens("Speaker A: Yes, I do.") == count_tokens("Speaker A: Yes, I do.") == 8


def test_cjk_counts_a_token_per_character_and_other_scripts_half() -> None:
    assert estimate_tokens("会議は金曜日です") == 8
    assert estimate_tokens("Привет") == 3
    assert estimate_tokens("") == 0


@given(st.text(max_size=300))
def test_never_below_the_emulators_count_or_langchains(text: str) -> None:
    assert estimate_tokens(text) >= count_tokens(text)
    assert estimate_tokens(text) >= math.ceil(len(text) / CHARS_PER_TOKEN)


@given(st.text(max_size=120), st.text(max_size=120))
def test_the_parts_never_estimate_below_the_whole(first: str, second: str) -> None:
    # What lets a chunker add up its lines: the joined text never costs more.
    assert estimate_tokens(first + second) <= estimate_tokens(first) + estimate_tokens(second)

"""Recipe 3: extract action items, people and dates from a meeting transcript.

Run: ``python -m cookbook.structured_output``
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from cookbook._runtime import gateway_session, meeting_transcript, run_main
from langchain_assemblyai_gateway import ChatAssemblyAIGateway


class ActionItem(BaseModel):
    """One thing someone agreed to do."""

    owner: str = Field(description="Who will do it")
    task: str = Field(description="What they will do")
    due: str | None = Field(default=None, description="When it is due, as written")


class MeetingNotes(BaseModel):
    """The structured summary of a meeting."""

    people: list[str] = Field(description="Everyone who spoke")
    dates: list[str] = Field(description="Every date mentioned")
    action_items: list[ActionItem] = Field(description="Every agreed action")


def extract(transcript: str) -> MeetingNotes:
    """Ask the gateway for MeetingNotes through its native json_schema response format."""
    model = ChatAssemblyAIGateway(model="claude-sonnet-4-5-20250929", max_tokens=1500)
    extractor = model.with_structured_output(MeetingNotes)  # method="json_schema"
    notes = extractor.invoke(
        "Extract the people, dates and action items from this meeting transcript.\n\n" + transcript
    )
    assert isinstance(notes, MeetingNotes)
    return notes


def main() -> None:
    """Print the extracted notes."""
    with gateway_session():
        notes = extract(meeting_transcript())
        print(f"people -> {', '.join(notes.people)}")
        print(f"dates -> {', '.join(notes.dates)}")
        for item in notes.action_items:
            print(f"action -> {item.owner}: {item.task} (due {item.due})")
        print(f"validated as {type(notes).__name__} with {len(notes.action_items)} action items")


if __name__ == "__main__":
    run_main(main, "structured_output")

"""A meeting as an iCalendar event (RFC 5545), attached to its invitation mail."""

from __future__ import annotations

from icalendar import Calendar, Event, vCalAddress

from service.domain.meeting_tables import Meeting
from service.usecases.meetings import aware


def meeting_ics(meeting: Meeting, link: str, organiser: str) -> bytes:
    """One event: the meeting's times (in UTC), place, title and page; a stable UID, so a
    calendar that received it twice keeps one event."""
    calendar = Calendar()
    calendar.add("prodid", "-//lcmatch//meetings//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{meeting.id}@lcmatch")
    event.add("dtstamp", aware(meeting.created_at))
    event.add("dtstart", aware(meeting.starts_at))
    event.add("dtend", aware(meeting.ends_at))
    event.add("summary", meeting.title)
    event.add("location", meeting.place)
    event.add("url", link)
    description = "\n\n".join(part for part in (meeting.notes.strip(), link) if part)
    event.add("description", description)
    event.add("organizer", vCalAddress(f"mailto:{organiser}"))
    calendar.add_component(event)
    return calendar.to_ical()

"""Event overview and personal agendas: as data (pages and JSON), as a printable PDF (fpdf2) and as an
iCalendar file written by hand per RFC 5545 (CRLF lines, folded at 75 octets, escaped text, UTC times)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from techbridge.errors import NotFound
from techbridge.storage.db import Database
from techbridge.storage.tables.events import (
    EventParticipantRow,
    EventRow,
    EventSessionRow,
    EventSlotRow,
    EventTableRow,
    MeetingRequestRow,
    MeetingRow,
)

# CJK fonts looked for on the machine (Debian: fonts-wqy-microhei / fonts-noto-cjk); without one the PDF
# falls back to a Latin font and replaces characters it cannot draw.
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
PDF_HINT = 'pip install "techbridge[events]"  (or: pip install fpdf2==2.8.9)'
EVENT_TZ_OFFSET = dt.timedelta(hours=8)  # event times are Beijing time (UTC+8)


def list_events(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.scalars(select(EventRow).order_by(EventRow.held_on.desc(), EventRow.id)).all()
        return [{"id": e.id, "title": e.title, "venue": e.venue, "held_on": e.held_on.isoformat(), "status": e.status,
                 "sample_data": e.sample_data} for e in rows]


def overview(db: Database, event_id: int) -> dict[str, Any]:
    with db.read() as session:
        event = session.get(EventRow, event_id)
        if event is None:
            raise NotFound(f"No event with id {event_id}")
        sessions = session.scalars(select(EventSessionRow).where(EventSessionRow.event_id == event_id)
                                   .order_by(EventSessionRow.id)).all()
        slots = session.scalars(select(EventSlotRow).where(EventSlotRow.event_id == event_id)
                                .order_by(EventSlotRow.starts_at)).all()
        tables = session.scalars(select(EventTableRow).where(EventTableRow.event_id == event_id)).all()
        people = session.scalars(select(EventParticipantRow).where(EventParticipantRow.event_id == event_id)
                                 .order_by(EventParticipantRow.id)).all()
        requests = session.scalars(select(MeetingRequestRow).where(MeetingRequestRow.event_id == event_id)).all()
        meetings = session.scalars(select(MeetingRow).where(MeetingRow.event_id == event_id)).all()
        by_status: dict[str, int] = {}
        for r in requests:
            by_status[r.status] = by_status.get(r.status, 0) + 1
        return {
            "id": event.id, "title": event.title, "venue": event.venue, "held_on": event.held_on.isoformat(),
            "status": event.status, "description": event.description, "sample_data": event.sample_data,
            "organiser_user_id": event.organiser_user_id,
            "sessions": [{"id": s.id, "title": s.title, "slots": [
                {"id": x.id, "start": x.starts_at.strftime("%H:%M"), "end": x.ends_at.strftime("%H:%M")}
                for x in slots if x.session_id == s.id]} for s in sessions],
            "tables": len(tables), "table_capacity": sum(t.capacity for t in tables),
            "participants": [{"id": p.id, "kind": p.kind, "display_name": p.display_name, "user_id": p.user_id,
                              "technology_id": p.technology_id, "fund_id": p.fund_id} for p in people],
            "requests": by_status, "meetings": len(meetings),
        }


def agenda(db: Database, participant_id: int) -> dict[str, Any]:
    """One participant's meetings in time order, plus their requests that are not (or no longer) scheduled."""
    with db.read() as session:
        person = session.get(EventParticipantRow, participant_id)
        if person is None:
            raise NotFound(f"No participant with id {participant_id}")
        event = session.get(EventRow, person.event_id)
        assert event is not None
        requests = session.scalars(select(MeetingRequestRow).where(
            (MeetingRequestRow.requester_id == participant_id) | (MeetingRequestRow.target_id == participant_id))
            .order_by(MeetingRequestRow.id)).all()
        meetings = {m.request_id: m for m in session.scalars(select(MeetingRow).where(
            MeetingRow.request_id.in_([r.id for r in requests])))}
        slots = {s.id: s for s in session.scalars(select(EventSlotRow).where(EventSlotRow.event_id == event.id))}
        tables = {t.id: t.label for t in session.scalars(select(EventTableRow).where(
            EventTableRow.event_id == event.id))}
        others = {p.id: p for p in session.scalars(select(EventParticipantRow).where(
            EventParticipantRow.id.in_([r.requester_id for r in requests] + [r.target_id for r in requests])))}
        items: list[dict[str, Any]] = []
        open_requests: list[dict[str, Any]] = []
        for r in requests:
            other = others[r.target_id if r.requester_id == participant_id else r.requester_id]
            entry = {"request_id": r.id, "with": other.display_name, "with_kind": other.kind, "with_id": other.id,
                     "priority": r.priority, "status": r.status, "requested_by_me": r.requester_id == participant_id}
            meeting = meetings.get(r.id)
            if meeting is not None:
                slot = slots[meeting.slot_id]
                items.append(entry | {"start": slot.starts_at.isoformat(timespec="minutes"),
                                      "end": slot.ends_at.isoformat(timespec="minutes"),
                                      "table": tables.get(meeting.table_id, "")})
            else:
                open_requests.append(entry)
        items.sort(key=lambda i: str(i["start"]))
        return {"participant": {"id": person.id, "display_name": person.display_name, "kind": person.kind,
                                "user_id": person.user_id},
                "event": {"id": event.id, "title": event.title, "venue": event.venue or "",
                          "held_on": event.held_on.isoformat()},
                "meetings": items, "other_requests": open_requests}


# ---- iCalendar (RFC 5545) -------------------------------------------------------------------------------


def _ics_escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n")
            .replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold content lines longer than 75 octets (RFC 5545 §3.1), never splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74  # continuation lines start with one space
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return "\r\n ".join(out)


def _utc(local: str) -> str:
    return (dt.datetime.fromisoformat(local) - EVENT_TZ_OFFSET).strftime("%Y%m%dT%H%M%SZ")


def agenda_ics(data: dict[str, Any], *, now: dt.datetime | None = None, host: str = "techbridge.local") -> str:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//techbridge//roadshow agenda//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH"]
    for item in data["meetings"]:
        lines += ["BEGIN:VEVENT", f"UID:meeting-{item['request_id']}-{data['participant']['id']}@{host}",
                  f"DTSTAMP:{stamp}", f"DTSTART:{_utc(item['start'])}", f"DTEND:{_utc(item['end'])}",
                  f"SUMMARY:{_ics_escape(data['event']['title'] + ' · ' + item['with'])}",
                  f"LOCATION:{_ics_escape((data['event']['venue'] + ' ' + item['table']).strip())}",
                  f"DESCRIPTION:{_ics_escape('一对一洽谈 / one-to-one meeting, priority ' + str(item['priority']))}",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


# ---- PDF ------------------------------------------------------------------------------------------------


def agenda_pdf(data: dict[str, Any], lang: str = "zh") -> bytes:
    try:
        from fpdf import FPDF
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(f"Agenda PDFs need fpdf2: {PDF_HINT}") from exc
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    font = next((path for path in CJK_FONTS if Path(path).exists()), None)
    if font:
        pdf.add_font("cjk", fname=font)
        pdf.set_font("cjk", size=16)
    else:
        pdf.set_font("helvetica", size=16)

    def safe(text: str) -> str:
        return text if font else text.encode("latin-1", "replace").decode("latin-1")

    zh = lang == "zh"
    person, event = data["participant"], data["event"]
    pdf.cell(0, 10, safe(f"{event['title']} · {event['held_on']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(12)
    pdf.cell(0, 8, safe(("个人日程：" if zh else "Agenda of ") + person["display_name"]), new_x="LMARGIN", new_y="NEXT")
    if event["venue"]:
        pdf.cell(0, 8, safe(("地点：" if zh else "Venue: ") + event["venue"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    headers = ("时间", "桌号", "洽谈对象", "优先级") if zh else ("Time", "Table", "Meeting with", "Priority")
    widths = (40, 25, 100, 25)
    pdf.set_font_size(11)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 8, safe(header), border=1)
    pdf.ln()
    for item in data["meetings"]:
        row = (f"{item['start'][11:16]}-{item['end'][11:16]}", item["table"], item["with"][:40], str(item["priority"]))
        for width, value in zip(widths, row, strict=True):
            pdf.cell(width, 8, safe(value), border=1)
        pdf.ln()
    if not data["meetings"]:
        pdf.cell(0, 8, safe("暂无已排定的洽谈" if zh else "No meetings scheduled yet"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

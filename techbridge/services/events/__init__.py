"""Roadshows and one-to-one meetings: event management, meeting requests, the scheduler (OR-tools CP-SAT),
rescheduling after cancellations, and personal agendas (page, PDF, iCalendar)."""

from techbridge.services.events.agenda import agenda, agenda_ics, agenda_pdf, list_events, overview
from techbridge.services.events.manage import (
    cancel,
    create_event,
    register,
    request_meeting,
    respond,
    withdraw_participant,
)
from techbridge.services.events.scheduling import last_run, reschedule, schedule

__all__ = ["agenda", "agenda_ics", "agenda_pdf", "cancel", "create_event", "last_run", "list_events", "overview",
           "register", "request_meeting", "reschedule", "respond", "schedule", "withdraw_participant"]

"""What can happen to a complaint, and to the records beside it: the domain events.

One registry (``shared.events.register``) holds them all; every event is
reached as ``shared.domain.events.<Name>``. By part of the procedure:

- ``routine``: registered, routed, priced, dispatched, worked, signed off
  (P-3..P-12, P-15), in the stream ``complaint-<uuid>``;
- ``keeping_on_track``: warnings and chases (P-9 B), reassign and reopen,
  referral (P-13), the incident link, corrections (P-5, P-9), same stream;
- ``other_streams``: call records (P-4), corrective actions and month close
  (P-17), mass incidents (P-9/P-16), each in a stream of its own.

Events on the work order carry ``department`` so the broker can route them to
``dept.<department>`` (routing key ``workorder.<event>.<department>``).
"""

from shared.domain.events.keeping_on_track import (
    AppointmentMissed,
    ComplaintAmended,
    ComplaintLinkedToIncident,
    ComplaintReferred,
    FieldChange,
    ReferralNoted,
    ReferralResolved,
    WorkOrderAutoClosed,
    WorkOrderChased,
    WorkOrderReassigned,
    WorkOrderReopened,
    WorkOrderRescheduled,
    WorkOrderWarned,
)
from shared.domain.events.other_streams import (
    AlertRef,
    CallRecorded,
    CorrectiveActionClosed,
    CorrectiveActionOpened,
    IncidentComplaintsLinked,
    IncidentCompleted,
    IncidentOpened,
    MonthClosed,
    SkippedOrder,
    action_stream_id_of,
    call_stream_id_of,
    incident_stream_id_of,
    month_stream_id_of,
)
from shared.domain.events.routine import (
    ComplaintEscalated,
    ComplaintInspected,
    ComplaintRegistered,
    ComplaintRouted,
    ComplaintWithdrawn,
    FollowUpRecorded,
    MailLogChecked,
    PaidDecided,
    QuoteAccepted,
    QuoteDeclined,
    QuoteIssued,
    QuoteLine,
    TeamAssigned,
    WorkOrderAccepted,
    WorkOrderCompleted,
    WorkOrderDispatched,
    WorkOrderSignedOff,
    stream_id_of,
)
from shared.events import Event  # the base class, for annotations as ``ev.Event``

__all__ = [
    "AlertRef",
    "AppointmentMissed",
    "CallRecorded",
    "ComplaintAmended",
    "ComplaintEscalated",
    "ComplaintInspected",
    "ComplaintLinkedToIncident",
    "ComplaintReferred",
    "ComplaintRegistered",
    "ComplaintRouted",
    "ComplaintWithdrawn",
    "CorrectiveActionClosed",
    "CorrectiveActionOpened",
    "Event",
    "FieldChange",
    "FollowUpRecorded",
    "IncidentComplaintsLinked",
    "IncidentCompleted",
    "IncidentOpened",
    "MailLogChecked",
    "MonthClosed",
    "PaidDecided",
    "QuoteAccepted",
    "QuoteDeclined",
    "QuoteIssued",
    "QuoteLine",
    "ReferralNoted",
    "ReferralResolved",
    "SkippedOrder",
    "TeamAssigned",
    "WorkOrderAccepted",
    "WorkOrderAutoClosed",
    "WorkOrderChased",
    "WorkOrderCompleted",
    "WorkOrderDispatched",
    "WorkOrderReassigned",
    "WorkOrderReopened",
    "WorkOrderRescheduled",
    "WorkOrderSignedOff",
    "WorkOrderWarned",
    "action_stream_id_of",
    "call_stream_id_of",
    "incident_stream_id_of",
    "month_stream_id_of",
    "stream_id_of",
]

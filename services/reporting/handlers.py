"""The reporting queue edge: which messages wake the monthly statistics' catch-up.

The monthly statistics read their events from the store in position order; a message only
says "something was appended". Every complaint event can change a complaint's facts
(status, department, category, dates, ratings), so each wakes the catch-up.
"""

from __future__ import annotations

from shared.domain import events as ev
from shared.messaging.subscription import Subscription

# Listed by hand, not taken from the registry: a new event type fails
# tests/unit/test_subscriptions.py until someone decides what the statistics do with it.
SUBSCRIPTION = Subscription.of(
    handled=[
        ev.ComplaintRegistered.type, ev.ComplaintWithdrawn.type, ev.ComplaintRouted.type,
        ev.PaidDecided.type, ev.QuoteIssued.type, ev.QuoteAccepted.type,
        ev.QuoteDeclined.type, ev.WorkOrderDispatched.type, ev.ComplaintEscalated.type,
        ev.WorkOrderAccepted.type, ev.TeamAssigned.type, ev.WorkOrderCompleted.type,
        ev.MailLogChecked.type, ev.WorkOrderSignedOff.type, ev.FollowUpRecorded.type,
        # --- reassign and reopen: the final department and the final completion count ---
        ev.WorkOrderReassigned.type, ev.WorkOrderReopened.type,
        # --- P-13 referral: the clock stops, the due time moves, the month counts it ---
        ev.ComplaintReferred.type, ev.ReferralNoted.type, ev.ReferralResolved.type,
        # --- P-12 serious complaints
        ev.ComplaintInspected.type,
        # --- P-9 B auto-close: the order is closed, not rated
        ev.WorkOrderAutoClosed.type,
        # --- P-9/P-16 incidents: the link shows in the complaint's history
        ev.ComplaintLinkedToIncident.type,
        # --- corrections (P-5, P-9): the form's fields, the due time, missed appointments
        ev.ComplaintAmended.type, ev.WorkOrderRescheduled.type, ev.AppointmentMissed.type,
    ],
    ignored=[
        # --- P-17 corrective actions: not a complaint's; the reports fold them when read ---
        ev.CorrectiveActionOpened.type, ev.CorrectiveActionClosed.type,
        # --- P-4 call records: a call changes no complaint (the call list is intake's) ---
        ev.CallRecorded.type,
        # --- P-9 B warnings and chases: they change none of the monthly facts
        ev.WorkOrderWarned.type, ev.WorkOrderChased.type,
        # --- P-9/P-16 incidents (each order's completion is its own workorder.completed) and
        # P-17 month close (read from its stream when the report is asked for) ---
        ev.IncidentOpened.type, ev.IncidentComplaintsLinked.type, ev.IncidentCompleted.type,
        ev.MonthClosed.type,
    ],
)

"""The tracker's queue edge: which messages wake the board's catch-up.

The board reads its events from the store in position order; a message only
says "something was appended". Every complaint event can change a board row
(status, department, team, dates), so each one wakes the catch-up.
"""

from __future__ import annotations

from shared.domain import events as ev
from shared.messaging.subscription import Subscription

# Listed by hand, not taken from the registry: a new event type fails
# tests/unit/test_subscriptions.py until someone decides what the board does with it.
SUBSCRIPTION = Subscription.of(
    handled=[
        ev.ComplaintRegistered.type, ev.ComplaintWithdrawn.type, ev.ComplaintRouted.type,
        ev.PaidDecided.type, ev.QuoteIssued.type, ev.QuoteAccepted.type,
        ev.QuoteDeclined.type, ev.WorkOrderDispatched.type, ev.ComplaintEscalated.type,
        ev.WorkOrderAccepted.type, ev.TeamAssigned.type, ev.WorkOrderCompleted.type,
        ev.MailLogChecked.type, ev.WorkOrderSignedOff.type, ev.FollowUpRecorded.type,
        # --- reassign and reopen: the board row's department, status, team ---
        ev.WorkOrderReassigned.type, ev.WorkOrderReopened.type,
        # --- P-13 referral: the clock stops, the due time moves ---
        ev.ComplaintReferred.type, ev.ReferralNoted.type, ev.ReferralResolved.type,
        # --- P-12 serious complaints
        ev.ComplaintInspected.type,
        # --- P-9 B warnings and chases, auto-close: the board shows them
        ev.WorkOrderWarned.type, ev.WorkOrderChased.type, ev.WorkOrderAutoClosed.type,
        # --- P-9/P-16 incidents: the link shows in the complaint's history
        ev.ComplaintLinkedToIncident.type,
        # --- corrections (P-5, P-9): the form's fields, the due time, missed appointments
        ev.ComplaintAmended.type, ev.WorkOrderRescheduled.type, ev.AppointmentMissed.type,
    ],
    ignored=[
        # --- P-17 corrective actions: not a complaint's; the board never shows them ---
        ev.CorrectiveActionOpened.type, ev.CorrectiveActionClosed.type,
        # --- P-4 call records: a call changes no complaint (the call list is intake's) ---
        ev.CallRecorded.type,
        # --- P-9/P-16 incidents (each order's completion is its own workorder.completed) and
        # P-17 month close (read from its stream when the report is asked for) ---
        ev.IncidentOpened.type, ev.IncidentComplaintsLinked.type, ev.IncidentCompleted.type,
        ev.MonthClosed.type,
    ],
)

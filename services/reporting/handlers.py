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
        # --- P-12 serious complaints
        ev.ComplaintInspected.type,
        # --- corrections (P-5, P-9): the form's fields, the due time, missed appointments
        ev.ComplaintAmended.type, ev.WorkOrderRescheduled.type, ev.AppointmentMissed.type,
    ],
    ignored=[
        # --- P-17 corrective actions: not a complaint's; the reports fold them when read ---
        ev.CorrectiveActionOpened.type, ev.CorrectiveActionClosed.type,
    ],
)

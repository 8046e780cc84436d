"""The domain wing: the company's procedure as pure functions, no I/O.

``decide(command, state, policy, now)`` (``decider``) and ``evolve(state,
event)`` (``state``), the events (``events/``), commands and errors, and one
module per part of the procedure, named as a reader of procedure.md would
look for it. Each rule's home (its tests: ``tests/unit/test_domain_<home>.py``
unless named):

- P-1  ``timeliness``: in time; due, timely, late, pending, judged at a moment
- P-2  ``registration``: every kind of request is a complaint (the policy's categories)
- P-3  ``registration``: any member of staff registers (desk and department roles)
- P-4  ``registration``, ``calls``: the registration form; the call record (form 7.2)
- P-5  ``registration``, ``corrections``: four clears (facts, read-back); amend with a reason
- P-6  ``routing``, ``dispatching``, ``reassignment``: route by keyword priority; reassign
- P-7  ``quotes`` (``decide_paid``): in-unit repairs are settled free or paid first
  (test_domain_paid_decision)
- P-8  ``quotes``: the fee schedule and the customer's acceptance; the fee bill is
  ``shared/projections/fees.py``
- P-9  ``work_order`` (accept, assign, complete, follow up), ``chasing`` (B: warnings,
  chases), ``corrections`` (reschedule, missed appointment), ``incidents`` (one cause)
- P-10 ``quotes``: in-unit cleaning and landscaping are paid
- P-11 ``dispatching``: relayed and finished within the commitment
- P-11a ``work_order`` (``record_mail_check``): the mail-log check before sign-off
  (test_domain_mail_check)
- P-12 ``escalation``: escalation to leadership and the head concerned; the inspection
- P-13 ``referral``: an outside body; the clock stops and the due time moves out
- P-14 ``dispatching``, ``timeliness``: the commitment frozen at dispatch, in UTC
  (test_domain_policy_changes)
- P-15 ``work_order`` (``sign_off``), ``chasing`` (auto-close, unrated)
- P-16 ``timeliness``: the timely rate (the report: ``shared/projections/monthly.py``)
- P-17 ``analysis`` (alerts), ``corrective_actions``, ``month_close``
- P-18 ``registration``, ``calls``: forms 7.1 and 7.2 are these two records

May import: itself, ``shared.events`` (the event base class and registry),
``shared.vocabulary`` and ``shared.policy`` (its types); nothing else. Time
comes in as an argument.
"""

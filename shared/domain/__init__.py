"""The domain wing: the company's procedure as pure functions, no I/O.

What lives here: ``decide(command, state, policy, now)`` and
``evolve(state, event)``, one module per part of the procedure, named as a
reader of procedure.md would look for it: ``registration`` (P-3..P-5),
``routing`` (P-6), ``dispatching`` (P-6, P-7, P-9, P-14), ``quotes`` (P-7, P-8,
P-10), ``escalation`` (P-12), ``work_order`` (P-9, P-11a, P-15),
``timeliness`` (P-14, P-16), ``reassignment`` (reassign P-6, reopen P-9),
``referral`` (P-13), ``chasing`` (P-9 B: warnings, chases, auto-close);
the events, commands, state and errors.
``calls`` (P-4) is the call record, a small aggregate of its own (stream
``call-<uuid>``) beside the complaint's.

May import: itself, ``shared.events`` (the event base class and registry),
``shared.vocabulary`` and ``shared.policy`` (its types); nothing else. Time
comes in as an argument.
"""

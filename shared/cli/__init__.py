"""The ``complaints`` command: run the system, migrate, rebuild, report.

What lives here: argument parsing and the operator's one-line errors
(``main``), the supervisor of the five processes. May import any wing; nothing
imports it (it is an entrypoint, like ``services/``).
"""

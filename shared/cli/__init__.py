"""The ``complaints`` command: run the system, migrate, rebuild, report, tokens.

What lives here, by concern: ``main`` (argument parsing, dispatch, the
operator's one-line errors, ``--version``, ``run --help``'s environment),
``supervisor`` (``complaints run``: start-up checks, the five processes, the
banner once they answer, none outliving it), ``checks`` (one-line messages for
a missing database, a refused vhost, a bad tokens file), ``store`` (which store
a command uses; read-only commands never create one), ``report`` and
``tokens``. May import any wing; nothing imports it (it is an entrypoint, like
``services/``).
"""

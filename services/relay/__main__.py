"""``python -m services.relay``: the fifth process, outbox -> broker, with a ``/healthz``."""

from services.relay.app import create_relay_app
from shared.app.bootstrap import bootstrap, serve
from shared.eventstore.commit_nudge import CommitListener
from shared.messaging.publisher import Publisher
from shared.messaging.relay import Relay


def main() -> None:
    context = bootstrap("relay")
    settings = context.settings
    relay = Relay(
        context.store,
        Publisher(settings.rabbitmq_url, name="relay"),
        CommitListener(settings.database_url, settings.relay_wake_port),
        settings.relay_recovery_seconds,
    )
    serve(context, create_relay_app(context), settings.relay_port, [relay.run])


if __name__ == "__main__":
    main()

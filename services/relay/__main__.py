"""``python -m services.relay``: the fifth process, outbox -> broker (no HTTP)."""

from shared.app.bootstrap import run_until_signalled
from shared.app.settings import get_settings
from shared.eventstore.commit_nudge import CommitListener
from shared.eventstore.store import EventStore
from shared.messaging.publisher import Publisher
from shared.messaging.relay import Relay


def main() -> None:
    settings = get_settings()
    store = EventStore.from_url(settings.database_url)
    relay = Relay(
        store,
        Publisher(settings.rabbitmq_url, name="relay"),
        CommitListener(settings.database_url, settings.relay_wake_port),
        settings.relay_recovery_seconds,
    )
    run_until_signalled("relay", relay.run)


if __name__ == "__main__":
    main()

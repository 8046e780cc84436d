"""``python -m services.dispatcher``: routes and dispatches every new registration; warns,
chases and auto-closes orders on a timer (P-9 B)."""

import threading

from services.dispatcher.app import create_dispatcher_app
from services.dispatcher.chase_scheduler import ChaseScheduler
from services.dispatcher.handlers import DispatcherHandlers, UnroutedSweep
from shared.app.bootstrap import bootstrap, serve
from shared.messaging.consumer import run_consumer


def main() -> None:
    context = bootstrap("dispatcher")
    handlers = DispatcherHandlers(context)
    settings = context.settings

    def consume_dispatcher(stop: threading.Event) -> None:
        run_consumer(settings.rabbitmq_url, "dispatcher", handlers.on_message, stop,
                     subscription=handlers.subscription, prefetch=settings.consumer_prefetch,
                     max_attempts=settings.consumer_max_attempts, name="dispatcher")

    serve(context, create_dispatcher_app(context), settings.dispatcher_port,
          [consume_dispatcher,
           UnroutedSweep(handlers).every(settings.dispatcher_sweep_seconds),
           ChaseScheduler(context).every(settings.chase_scheduler_seconds)])


if __name__ == "__main__":
    main()

"""Bootstrap: the one place each service wires its real dependencies, and runs.

A service process is an HTTP server (uvicorn) plus zero or more background
workers (queue consumers, projection timers), all stopped together on
SIGINT/SIGTERM.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from shared.app.clock import Clock, SystemClock
from shared.app.command_handler import ComplaintHandler
from shared.app.logging import configure_logging
from shared.app.settings import Settings, get_settings
from shared.eventstore.store import EventStore
from shared.policy import Policy, load_policy

log = structlog.get_logger(__name__)

Worker = Callable[[threading.Event], None]


@dataclass
class ServiceContext:
    """Everything a service's edges need; built once per process."""

    name: str
    settings: Settings
    policy: Policy
    store: EventStore
    clock: Clock
    handler: ComplaintHandler = field(init=False)

    def __post_init__(self) -> None:
        self.handler = ComplaintHandler(self.store, self.policy, self.clock)


def bootstrap(name: str, settings: Settings | None = None, clock: Clock | None = None
              ) -> ServiceContext:
    settings = settings or get_settings()
    configure_logging(name, settings.log_level)
    policy = load_policy(settings.complaints_policy)
    clock = clock or SystemClock()
    # One clock: the store stamps recorded_at with the service's clock, too.
    store = EventStore.from_url(settings.database_url, wake_port=settings.relay_wake_port,
                                clock=clock.now)
    return ServiceContext(name, settings, policy, store, clock)


def start_workers(workers: list[Worker], stop: threading.Event) -> list[threading.Thread]:
    threads = []
    for worker in workers:
        thread = threading.Thread(target=_guarded(worker), args=(stop,),
                                  name=getattr(worker, "__name__", "worker"), daemon=True)
        thread.start()
        threads.append(thread)
    return threads


def _guarded(worker: Worker) -> Worker:
    def run(stop: threading.Event) -> None:
        try:
            worker(stop)
        except Exception:
            log.exception("worker.crashed", worker=getattr(worker, "__name__", "worker"))
            raise

    return run


def serve(context: ServiceContext, app: object, port: int, workers: list[Worker]) -> None:
    """Run the HTTP app and the workers; uvicorn handles the signals, then workers stop."""
    import uvicorn

    stop = threading.Event()
    threads = start_workers(workers, stop)
    config = uvicorn.Config(app, host=context.settings.complaints_host, port=port,  # type: ignore[arg-type]
                            log_config=None, access_log=False, lifespan="off", server_header=False)
    log.info("service.started", service=context.name, port=port)
    try:
        uvicorn.Server(config).run()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        log.info("service.stopped", service=context.name)

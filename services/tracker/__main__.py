"""``python -m services.tracker``: the board, kept current from the ``tracker`` queue."""

from services.tracker.app import create_tracker_app
from services.tracker.handlers import SUBSCRIPTION
from shared.app.bootstrap import bootstrap, serve
from shared.projections.board import BoardProjection
from shared.projections.worker import ProjectionKeeper


def main() -> None:
    context = bootstrap("tracker")
    board = ProjectionKeeper(context.store, BoardProjection())
    workers = [board.consumer(context.settings, "tracker", SUBSCRIPTION),
               board.timer(context.settings.projection_recovery_seconds)]
    serve(context, create_tracker_app(context, board), context.settings.tracker_port, workers)


if __name__ == "__main__":
    main()

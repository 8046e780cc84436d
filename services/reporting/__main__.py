"""``python -m services.reporting``: monthly statistics, kept current from its queue."""

from services.reporting.app import create_reporting_app
from services.reporting.handlers import SUBSCRIPTION
from shared.app.bootstrap import bootstrap, serve
from shared.projections.monthly import MonthlyProjection
from shared.projections.worker import ProjectionKeeper


def main() -> None:
    context = bootstrap("reporting")
    monthly = ProjectionKeeper(context.store, MonthlyProjection())
    workers = [monthly.consumer(context.settings, "reporting", SUBSCRIPTION),
               monthly.timer(context.settings.projection_recovery_seconds)]
    serve(context, create_reporting_app(context, monthly), context.settings.reporting_port,
          workers)


if __name__ == "__main__":
    main()

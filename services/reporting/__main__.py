"""``python -m services.reporting``: monthly statistics and the fee bill, kept current from
its queue (one consumer wakes both projections) and by a timer each."""

from services.reporting.app import create_reporting_app
from services.reporting.handlers import SUBSCRIPTION
from shared.app.bootstrap import bootstrap, serve
from shared.projections.fees import FeesProjection
from shared.projections.monthly import MonthlyProjection
from shared.projections.worker import ProjectionKeeper, consumer_for


def main() -> None:
    context = bootstrap("reporting")
    monthly = ProjectionKeeper(context.store, MonthlyProjection())
    fees = ProjectionKeeper(context.store, FeesProjection())
    seconds = context.settings.projection_recovery_seconds
    workers = [consumer_for([monthly, fees], context.settings, "reporting", SUBSCRIPTION),
               monthly.timer(seconds), fees.timer(seconds)]
    serve(context, create_reporting_app(context, monthly, fees),
          context.settings.reporting_port, workers)


if __name__ == "__main__":
    main()

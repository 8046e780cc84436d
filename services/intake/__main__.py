"""``python -m services.intake``: the intake service (HTTP, and timers keeping its own
projections warm; it needs just its store, no broker)."""

from services.intake.app import create_intake_app, intake_projections
from shared.app.bootstrap import bootstrap, serve


def main() -> None:
    context = bootstrap("intake")
    complaint_index, call_list = intake_projections(context)
    seconds = context.settings.projection_recovery_seconds
    workers = [complaint_index.timer(seconds), call_list.timer(seconds)]
    serve(context, create_intake_app(context, complaint_index, call_list),
          context.settings.intake_port, workers)


if __name__ == "__main__":
    main()

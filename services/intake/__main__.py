"""``python -m services.intake``: the intake service (HTTP only; it needs just its store)."""

from services.intake.app import create_intake_app
from shared.app.bootstrap import bootstrap, serve


def main() -> None:
    context = bootstrap("intake")
    serve(context, create_intake_app(context), context.settings.intake_port, workers=[])


if __name__ == "__main__":
    main()

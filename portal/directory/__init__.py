"""The member directory: home page, search, member pages, and the demo data."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.directory import cli, views
    from portal.vocabulary import FOCUS_AREAS, REGIONS

    app.register_blueprint(views.bp)
    app.context_processor(lambda: {"focus_areas": FOCUS_AREAS, "regions": REGIONS})
    cli.init_app(app)

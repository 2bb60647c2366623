"""Listen: members' statements, the coalition's podcast, and their Atom feeds."""

from flask import Flask
from markupsafe import Markup


def init_app(app: Flask) -> None:
    from portal.listen import cli, staff_views, views
    from portal.listen.text import clean_html
    from portal.vocabulary import CONTENT_LANGUAGES

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    cli.init_app(app)
    app.context_processor(lambda: {"content_languages": CONTENT_LANGUAGES})
    # Stored HTML (episode descriptions) was cleaned on the way in; cleaning again on the way out
    # means a row written by any other path still cannot carry a script onto a page.
    app.add_template_filter(lambda html: Markup(clean_html(html or "")), "clean_html")  # noqa: S704

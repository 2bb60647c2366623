"""Listen: members' statements, the coalition's podcast, and their Atom feeds."""

from flask import Flask
from markupsafe import Markup

DEFAULTS = {
    "LISTEN_PAGE_SIZE": 10,
    # The podcast's RSS feed, for `flask import-podcast` without a URL and the staff button.
    "PODCAST_FEED_URL": "",
    # A podcast feed of a few hundred episodes is well under 1 MB; a bigger one is refused unread.
    "PODCAST_MAX_BYTES": 5 * 1024 * 1024,
    "PODCAST_TIMEOUT": 10.0,
}


def init_app(app: Flask) -> None:
    from portal.listen import cli, staff_views, views
    from portal.listen.text import clean_html
    from portal.vocabulary import CONTENT_LANGUAGES

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    cli.init_app(app)
    app.context_processor(lambda: {"content_languages": CONTENT_LANGUAGES})
    # Stored HTML (episode descriptions) was cleaned on the way in; cleaning again on the way out
    # means a row written by any other path still cannot carry a script onto a page.
    app.add_template_filter(lambda html: Markup(clean_html(html or "")), "clean_html")  # noqa: S704

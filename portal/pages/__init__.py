"""Who is behind the portal: About, Contact, Privacy and Terms, linked from every page's footer.

The coalition's legal details are settings (the operator's, from the environment); About and
Terms are texts staff write in each language, with the portal's own words until they do. The
Privacy page is the portal's own description of what its code keeps, so it is not editable.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.pages import views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.staff_bp)

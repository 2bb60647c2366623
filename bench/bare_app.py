"""The baseline for ``bench.handoff``: a Flask app that only answers a 302, nothing logged."""

from flask import Flask, redirect

# Same shape as the portal's hand-off Location: a member's page with UTM tags and a reference.
DESTINATION = (
    "https://cfpeace.org/?utm_source=coalition-portal&utm_medium=shared-link"
    "&utm_campaign=portal&portal_ref=0123456789abcdef"
)

app = Flask(__name__)


@app.get("/go/<slug>")
def go(slug: str):
    """Redirect every slug to the fixed destination."""
    return redirect(DESTINATION, code=302)

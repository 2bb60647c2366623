"""``create_sandbox``: the WSGI app that stands in for Stripe on this machine."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, InternalServerError

from stripe_sandbox import api, control, hosted, manage
from stripe_sandbox.errors import StripeError
from stripe_sandbox.state import Sandbox
from stripe_sandbox.webhooks import DEFAULT_RETRY_DELAYS, SANDBOX_WEBHOOK_SECRET


def create_sandbox(
    webhook_url: str | None = None,
    webhook_secret: str = SANDBOX_WEBHOOK_SECRET,
    public_url: str | None = None,
    *,
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
) -> Flask:
    """Build the sandbox app; ``public_url`` prefixes hosted-page links (else the request host)."""
    app = Flask(__name__)
    app.extensions["stripe_sandbox"] = Sandbox(
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        public_url=public_url.rstrip("/") if public_url else None,
        retry_delays=tuple(retry_delays),
    )
    app.register_blueprint(api.bp)
    app.register_blueprint(manage.portal_bp)
    app.register_blueprint(hosted.bp)
    app.register_blueprint(control.bp)
    app.register_error_handler(StripeError, _stripe_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    app.after_request(_stripe_headers)
    return app


def _stripe_error(error: StripeError) -> Response:
    response = api.json_response(error.body(), error.status)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Stripe"'
    return response


def _http_error(error: HTTPException) -> Response | HTTPException:
    if request.path.startswith("/v1/") and error.code in (404, 405):
        return api.unrecognised_url(error)
    return error


def _unexpected(error: Exception) -> Response | InternalServerError:
    # A sandbox bug: log it, and answer API calls in Stripe's shape so the client says so.
    current_app.logger.exception("stripe sandbox error", exc_info=error)
    if request.path.startswith("/v1/"):
        body = StripeError(
            f"The Stripe sandbox failed: {type(error).__name__}: {error}",
            status=500,
            error_type="api_error",
        ).body()
        return api.json_response(body, 500)
    return InternalServerError()


def _stripe_headers(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is not None:
        response.headers["Request-Id"] = request_id
        response.headers["Stripe-Version"] = api.sandbox().api_version
    return response

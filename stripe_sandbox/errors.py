"""Errors the sandbox reports with Stripe's JSON error body."""

from __future__ import annotations

_DOC_ROOT = "https://stripe.com/docs/error-codes/"


class StripeError(Exception):
    """An API error rendered as ``{"error": {...}}`` with Stripe's field names."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        error_type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_type = error_type
        self.code = code
        self.param = param

    def body(self) -> dict:
        """The JSON body Stripe sends for this error."""
        error: dict = {"message": self.message, "type": self.error_type}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = _DOC_ROOT + self.code.replace("_", "-")
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}


def unknown_parameter(name: str) -> StripeError:
    """Stripe's answer to a parameter it does not know."""
    return StripeError(f"Received unknown parameter: {name}", code="parameter_unknown", param=name)


def unsupported_parameter(name: str) -> StripeError:
    """A real Stripe parameter that this sandbox does not implement."""
    return StripeError(
        f"The Stripe sandbox does not implement the `{name}` parameter "
        "(Stripe itself accepts it). Remove it or extend the sandbox.",
        param=name,
    )


def missing_parameter(name: str) -> StripeError:
    """Stripe's answer when a required parameter is absent."""
    return StripeError(f"Missing required param: {name}.", code="parameter_missing", param=name)


def resource_missing(object_type: str, object_id: str, param: str = "id") -> StripeError:
    """Stripe's 404 for an id it does not hold."""
    return StripeError(
        f"No such {object_type}: '{object_id}'",
        status=404,
        code="resource_missing",
        param=param,
    )


def exclusive_parameters(*names: str) -> StripeError:
    """Stripe's answer when mutually exclusive parameters are combined."""
    return StripeError(
        f"You may only specify one of these parameters: {', '.join(names)}.",
        code="parameters_exclusive",
        param=names[0],
    )

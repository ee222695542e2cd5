"""Every error leaves the service as JSON `{"error": {"code", "message"}}`, mapped here only.

Views raise `ApiError` (an HTTPException with a finer `error_code`); werkzeug raises its own
(404, 405, 413 over MAX_CONTENT_LENGTH); winnow's typed errors map by kind. Nothing escapes as
an HTML page.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from winnow.errors import InvalidInput, ModelError, WinnowError

# The `code` field for werkzeug's own exceptions, by status.
HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_option",
    500: "internal_error",
    503: "model_unavailable",
}


class ApiError(HTTPException):
    """An HTTP error with a machine-readable `error_code` (e.g. 400 `invalid_utf8`)."""

    def __init__(self, status: int, error_code: str, message: str):
        super().__init__(description=message)
        self.code = status
        self.error_code = error_code


def error_response(status: int, code: str, message: str, headers=None):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    for name, value in headers or ():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def http_error(err: HTTPException):
    status = err.code or 500
    code = getattr(err, "error_code", None) or HTTP_CODES.get(status, "http_error")
    message = err.description or err.name
    if isinstance(err, RequestEntityTooLarge):
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        message = f"the body is over the limit of {limit} bytes (WINNOW_MAX_BYTES)"
    return error_response(status, code, message, err.get_headers())


def winnow_error(err: WinnowError):
    if isinstance(err, InvalidInput):
        return error_response(422, "invalid_option", str(err))
    if isinstance(err, ModelError):
        current_app.logger.error("model error: %s", err)
        return error_response(503, "model_unavailable", str(err))
    return error_response(422, "invalid_input", str(err))


def unexpected_error(err: Exception):
    current_app.logger.exception("unhandled error")
    return error_response(500, "internal_error", "internal error; the server log has details")


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(WinnowError, winnow_error)
    app.register_error_handler(Exception, unexpected_error)

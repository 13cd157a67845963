"""The OpenAPI 3 document of the HTTP API; tests keep it true (schemathesis)."""

_CODE = {"name": "code", "in": "path", "required": True,
         "schema": {"type": "string", "pattern": "^[a-zA-Z]{4}$"},
         "description": "The 4-letter code, case-sensitive."}
_PASSWORD = {"name": "X-Password", "in": "header", "required": False,
             "schema": {"type": "string"},
             "description": "The text's password, percent-encoded UTF-8 "
                            "(encodeURIComponent) when not plain ASCII."}
_ERROR = {"$ref": "#/components/schemas/Error"}
_OLD_ERROR = {"$ref": "#/components/schemas/OldError"}
_REASONS = {
    400: "Bad JSON or a field with a bad value.", 401: "The text needs a password.",
    403: "Wrong password or delete token.", 404: "No text has this code.",
    405: "Method not allowed.", 409: "A view-limited text: confirm with a POST.",
    410: "The text expired, was deleted, burned, erased (error: erased) or is withheld after "
         "readers reported it (error: reported).", 413: "The request or text is too large.",
    415: "The body is not JSON.", 423: "Locked after too many wrong passwords.",
    429: "Rate limited: this client (error: rate_limited) or the whole service (error: busy).",
    503: "No free code left, or the database is down.",
}


def _errors(*statuses, schema=_ERROR):
    return {str(s): {"description": _REASONS[s],
                     "content": {"application/json": {"schema": schema}}}
            for s in statuses}


def _plain_errors(*statuses):
    """Errors of the curl endpoints: one sentence, or the JSON envelope when asked for."""
    return {str(s): {"description": _REASONS[s], "content": {
        "text/plain": {"schema": {"type": "string"}},
        "application/json": {"schema": _ERROR}}} for s in statuses}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _curl_write(config, summary, path=()):
    """A write from curl: the text is the body; the answer is plain text (JSON if asked).

    curl -F's multipart form (a field file or text) is taken too; it is left out
    here, where a schema cannot say "one of the two fields, in UTF-8".
    """
    options = [
        {"name": "expires_in", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 60,
                    "maximum": config["SAVER_MAX_EXPIRES_IN"]}},
        {"name": "max_views", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": 1000000}}]
    # A character takes up to 4 bytes of UTF-8.
    longest = config["SAVER_MAX_TEXT_BYTES"] // 4
    return {
        "summary": summary,
        "parameters": [*path, *options,
                       {**_PASSWORD, "description": "A password for the text."}],
        "requestBody": {"required": True, "content": {"text/plain": {"schema": {
            "type": "string", "minLength": 1, "maxLength": longest,
            "description": "UTF-8, stored byte for byte."}}}},
        "responses": {"201": {"description": "Stored: the URL, code, expiry and commands.",
                              "headers": {"Location": {"schema": {"type": "string"}}},
                              "content": {"text/plain": {"schema": {"type": "string"}},
                                          **_json({"$ref": "#/components/schemas/Written"})[
                                              "content"]}},
                      **_plain_errors(400, 413, 429, 503)},
    }


def document(config):
    """Return the OpenAPI document for an app with ``config``."""
    max_bytes = config["SAVER_MAX_TEXT_BYTES"]
    plain = {"content": {"text/plain": {"schema": {"type": "string"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "extextcloud", "version": "1.0.0",
                 "description": "Move a text between two computers with a 4-letter code."},
        "paths": {
            "/api/v1/texts": {"post": {
                "summary": "Store a text and get its code.",
                "requestBody": {"required": True, **_json({
                    "type": "object", "required": ["text"],
                    "properties": {
                        "text": {"type": "string", "minLength": 1,
                                 "description": f"At most {max_bytes} bytes of UTF-8."},
                        "expires_in": {"type": "integer", "minimum": 60, "nullable": True,
                                       "maximum": config["SAVER_MAX_EXPIRES_IN"],
                                       "default": config["SAVER_DEFAULT_EXPIRES_IN"]},
                        "password": {"type": "string", "nullable": True, "maxLength": 1024},
                        "max_views": {"type": "integer", "minimum": 1, "maximum": 1000000,
                                      "nullable": True},
                    }})},
                "responses": {
                    "201": {"description": "Stored.",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                            **_json({"$ref": "#/components/schemas/Written"})},
                    **_errors(400, 413, 415, 429, 503)},
            }},
            "/api/v1/texts/{code}": {
                "parameters": [_CODE],
                "get": {
                    "summary": "Read a text (uses up one view when view-limited).",
                    "parameters": [_PASSWORD],
                    "responses": {"200": {"description": "The text.",
                                          **_json({"$ref": "#/components/schemas/Text"})},
                                  **_errors(400, 401, 403, 404, 410, 423, 429, 503)},
                },
                "delete": {
                    "summary": "Delete a text with its delete token.",
                    "parameters": [{"name": "X-Delete-Token", "in": "header", "required": True,
                                    "schema": {"type": "string", "minLength": 1}}],
                    "responses": {"204": {"description": "Deleted; the code rests."},
                                  **_errors(400, 403, 404, 410, 429, 503)},
                },
            },
            "/api/v1/texts/{code}/report": {
                "parameters": [_CODE],
                "post": {
                    "summary": "Report a text to the site's operator; no account needed.",
                    "description": "After SAVER_REPORT_HIDE_AFTER distinct readers (default "
                                   f"{config['SAVER_REPORT_HIDE_AFTER']}) the text is not "
                                   "served until the operator looks at it.",
                    "requestBody": {"required": True, **_json({
                        "type": "object", "required": ["reason"],
                        "properties": {"reason": {
                            "type": "string", "maxLength": 200,
                            "description": "One line: no control characters, not only spaces.",
                            "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*"
                                       "[^\\u0000-\\u0020\\u007f-\\u009f]"
                                       "[^\\u0000-\\u001f\\u007f-\\u009f]*$"}}})},
                    "responses": {"200": {"description": "Reported.", **_json({
                        "type": "object", "required": ["code", "reported"],
                        "properties": {"code": {"type": "string"},
                                       "reported": {"type": "boolean"}}})},
                                  **_errors(400, 404, 410, 413, 415, 429, 503)},
                },
            },
            "/api/v1/health": {"get": {
                "summary": "Whether the service and its database answer.",
                "description": "free_codes is as the last sweep (every minute) counted it.",
                "responses": {"200": {"description": "Healthy.", **_json({
                    "type": "object", "required": ["status", "free_codes", "counted_at"],
                    "properties": {"status": {"type": "string", "enum": ["ok"]},
                                   "free_codes": {"type": "integer", "minimum": 0},
                                   "counted_at": {"type": "string", "format": "date-time"}}})},
                              **_errors(429, 503)}}},
            "/api/v1/openapi.json": {"get": {
                "summary": "This document.",
                "responses": {"200": {"description": "OpenAPI 3.", **_json({"type": "object"})}}}},
            "/": {
                "get": {"summary": "The web page.",
                        "responses": {"200": {"description": "The page.", "content": {
                            "text/html": {"schema": {"type": "string"}}}}}},
                "post": _curl_write(config, "Store the body (curl --data-binary; "
                                            "curl -F with a field file or text works too)."),
                "put": _curl_write(config, "Store the body (curl -T)."),
            },
            "/{code}": {
                "parameters": [_CODE],
                "put": _curl_write(config, "Store the body as a new text (curl -T).", [
                    {"name": "code", "in": "path", "required": True,
                     "schema": {"type": "string", "pattern": "^[^/]+$"},
                     "description": "Any name, not a code: curl -T FILE puts to /FILE."}]),
                "get": {
                    "summary": "The raw text; a view-limited text first shows a confirm page.",
                    "parameters": [_PASSWORD],
                    "responses": {"200": {"description": "The text, or the confirm page.",
                                          **plain, "content": {
                                              **plain["content"],
                                              "text/html": {"schema": {"type": "string"}}}},
                                  **_errors(400, 401, 403, 404, 410, 423, 429, 503)},
                },
                "post": {
                    "summary": "The raw text after an explicit confirm (uses up a view).",
                    "parameters": [_PASSWORD],
                    "requestBody": {"required": False, "content": {
                        "application/x-www-form-urlencoded": {"schema": {
                            "type": "object",
                            "properties": {"password": {"type": "string"}}}}}},
                    "responses": {"200": {"description": "The text.", **plain},
                                  **_errors(400, 401, 403, 404, 410, 413, 423, 429, 503)},
                },
            },
            "/write/": {"post": {
                "summary": "Old extension (v1.2): store a text.",
                "requestBody": {"required": True, **_json({
                    "type": "object", "required": ["wrtext"],
                    "properties": {"wrtext": {"type": "string", "minLength": 1},
                                   "wrpassword": {"type": "string", "nullable": True},
                                   "wrdelete_at": {"type": "string",
                                                   "enum": ["10min", "1h", "3h"]}}})},
                "responses": {"200": {"description": "The code in message.",
                                      **_json({"$ref": "#/components/schemas/OldAnswer"})},
                              **_errors(400, 413, 415, 429, 503, schema=_OLD_ERROR)},
            }},
            "/load/": {"post": {
                "summary": "Old extension (v1.2): read a text.",
                "requestBody": {"required": True, **_json({
                    "type": "object", "required": ["ldcode"],
                    "properties": {"ldcode": {"type": "string"},
                                   "ldpassword": {"type": "string", "nullable": True}}})},
                "responses": {"200": {"description": "The text in message, or "
                                                     "'pw not match' / 'not exist'.",
                                      **_json({"$ref": "#/components/schemas/OldAnswer"})},
                              **_errors(400, 413, 415, 423, 429, 503, schema=_OLD_ERROR)},
            }},
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error", "message"],
                      "properties": {"error": {"type": "string"},
                                     "message": {"type": "string"}}},
            "OldError": {"type": "object", "required": ["status", "message"],
                         "properties": {"status": {"type": "string", "enum": ["error"]},
                                        "message": {"type": "string"}}},
            "OldAnswer": {"type": "object", "required": ["status", "message"],
                          "properties": {"status": {"type": "string",
                                                    "enum": ["success", "error"]},
                                         "message": {"type": "string"}}},
            "Written": {"type": "object",
                        "required": ["code", "expires_at", "delete_token", "url"],
                        "properties": {"code": {"type": "string", "pattern": "^[a-zA-Z]{4}$"},
                                       "expires_at": {"type": "string", "format": "date-time"},
                                       "delete_token": {"type": "string"},
                                       "url": {"type": "string"}}},
            "Text": {"type": "object",
                     "required": ["code", "text", "created_at", "expires_at", "views_left"],
                     "properties": {"code": {"type": "string"}, "text": {"type": "string"},
                                    "created_at": {"type": "string", "format": "date-time"},
                                    "expires_at": {"type": "string", "format": "date-time"},
                                    "views_left": {"type": "integer", "nullable": True}}},
        }},
    }

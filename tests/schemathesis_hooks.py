"""Checks that tests/schemathesis.sh adds to schemathesis' own (loaded through SCHEMATHESIS_HOOKS).

`refused_role`: in the pass over the operations the signed-in role may NOT call (FUZZ_REFUSED=1), every
answer must be a refusal. A 2xx or 3xx there is an access leak; a field error (422) or a state clash (409) means the
input or the record was looked at before the role was checked.
"""

import os

import schemathesis

# 401: credentials not accepted; 403: signed in but not allowed; 404: nothing of that id in the caller's scope;
# 405: a method the path does not have; 429: the address' budget is spent.
REFUSALS = {401, 403, 404, 405, 429}
# The framework refuses a malformed path, query or body (400), an oversized one (413) or a body of the wrong media
# type (415) before any handler runs, whoever asks: that tells nothing the public document does not.
MALFORMED = {400: "bad_request", 413: "payload_too_large", 415: "unsupported_media_type"}


@schemathesis.check
def refused_role(ctx, response, case):
    """An operation outside the role's rights answers with a refusal, never with data, a state or a field error."""
    if os.environ.get("FUZZ_REFUSED") != "1":
        return None
    status = response.status_code
    if status in REFUSALS or status >= 500:
        # 5xx is not_a_server_error's business.
        return None
    if status in MALFORMED and _code(response) == MALFORMED[status]:
        return None
    raise AssertionError(
        f"{case.operation.label} answered {status} to a role that may not call it; expected 401, 403 or 404"
    )


def _code(response):
    try:
        body = response.json()
    except Exception:
        return None
    return body.get("code") if isinstance(body, dict) else None

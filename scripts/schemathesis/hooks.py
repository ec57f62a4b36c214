"""Schemathesis hooks for Orgdesk: sign in as the admin and keep the session.

Every request carries the session cookie and, for state-changing methods, the
session's CSRF token (see crates/server/src/auth.rs). The fuzzer may end the
session itself (sign-out, deactivation): a 401 or a response clearing the cookie
marks it stale, and the next request signs in again, so later operations are
still tested signed in.
"""

import os

import requests
import schemathesis

BASE = os.environ["ORGDESK_URL"].rstrip("/")
EMAIL = os.environ["ORGDESK_ADMIN_EMAIL"]
PASSWORD = os.environ["ORGDESK_ADMIN_PASSWORD"]
COOKIE = "orgdesk_session"

_state = {"session": None}


def _sign_in():
    response = requests.post(
        f"{BASE}/api/auth/login", json={"email": EMAIL, "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    return response.cookies[COOKIE], response.json()["csrf_token"]


@schemathesis.auth(refresh_interval=None)
class OrgdeskSession:
    def get(self, case, ctx):
        if _state["session"] is None:
            _state["session"] = _sign_in()
        return _state["session"]

    def set(self, case, data, ctx):
        token, csrf = data
        case.cookies = {**(case.cookies or {}), COOKIE: token}
        case.headers = {**(case.headers or {}), "X-CSRF-Token": csrf}


@schemathesis.hook
def after_call(context, case, response):
    session = _state["session"]
    if session is None or (case.cookies or {}).get(COOKIE) != session[0]:
        return
    cleared = f"{COOKIE}=;" in response.headers.get("set-cookie", "")
    if response.status_code == 401 or cleared:
        _state["session"] = None


@schemathesis.hook
def filter_case(context, case):
    # The stateful phase fills path parameters from earlier responses by name, so a
    # customer's `organization_id: null` becomes /api/organizations/None/...: a URL the
    # document does not allow (ids are integers), sent as if it were valid. Such cases
    # test the link inference, not the API; drop them.
    return all(value is not None for value in (case.path_parameters or {}).values())

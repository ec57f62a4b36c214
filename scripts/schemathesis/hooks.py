"""Schemathesis hooks for Orgdesk: sign in and keep the session.

Agents' routes are called as the admin; the customer portal's routes
(`/api/portal/...`, which never accept an agent's session) as a demo customer
with a portal account (Acme Corporation's manager, seeded by `--demo`). Every
request carries the right session cookie and, for state-changing methods, that
session's CSRF token (see crates/server/src/auth.rs and portal_auth.rs). The
fuzzer may end a session itself (sign-out, deactivation): a 401 or a response
clearing the cookie marks it stale, and the next request signs in again, so later
operations are still tested signed in. The fuzzer, signed in as the admin, may also
change or delete the demo customer itself (a new email, a deleted customer): the portal
then signs in as the next demo customer, and when none is left its routes go without a
session (a 401, which the checks accept) instead of failing the run.
"""

import os

import requests
import schemathesis

BASE = os.environ["ORGDESK_URL"].rstrip("/")
EMAIL = os.environ["ORGDESK_ADMIN_EMAIL"]
PASSWORD = os.environ["ORGDESK_ADMIN_PASSWORD"]
# The demo customers the portal's routes run as, in order (see crates/server/src/seed.rs).
PORTAL_EMAILS = ["ava.adams@acme.com", "isla.lopez@acme.com"]
PORTAL_PASSWORD = "orgdesk-demo"

# kind: (sign-in path, [(email, password)] to try in order, session cookie)
KINDS = {
    "agent": ("/api/auth/login", [(EMAIL, PASSWORD)], "orgdesk_session"),
    "portal": ("/api/portal/auth/login", [(e, PORTAL_PASSWORD) for e in PORTAL_EMAILS], "orgdesk_portal_session"),
}

_state = {"agent": None, "portal": None}


def _kind(case):
    return "portal" if case.path.startswith("/api/portal/") else "agent"


def _sign_in(kind):
    path, accounts, cookie = KINDS[kind]
    for email, password in accounts:
        response = requests.post(f"{BASE}{path}", json={"email": email, "password": password}, timeout=30)
        if response.status_code in (429, 503):
            # The fuzzer's own wrong passwords for this account got it throttled (or the
            # hashing queue is full): this request goes without a session (a 401, which
            # the checks accept) and the next one tries to sign in again.
            return None
        if response.status_code == 401 and kind == "portal":
            # The fuzzer changed or deleted this demo customer: try the next one.
            continue
        response.raise_for_status()
        return response.cookies[cookie], response.json()["csrf_token"]
    return None


@schemathesis.auth(refresh_interval=None)
class OrgdeskSession:
    def get(self, case, ctx):
        kind = _kind(case)
        if _state[kind] is None:
            _state[kind] = _sign_in(kind)
        return kind, _state[kind]

    def set(self, case, data, ctx):
        kind, session = data
        if session is None:
            return
        token, csrf = session
        case.cookies = {**(case.cookies or {}), KINDS[kind][2]: token}
        case.headers = {**(case.headers or {}), "X-CSRF-Token": csrf}


@schemathesis.hook
def after_call(context, case, response):
    kind = _kind(case)
    session, cookie = _state[kind], KINDS[kind][2]
    if session is None or (case.cookies or {}).get(cookie) != session[0]:
        return
    cleared = f"{cookie}=;" in response.headers.get("set-cookie", "")
    if response.status_code == 401 or cleared:
        _state[kind] = None


@schemathesis.hook
def filter_case(context, case):
    # The stateful phase fills path parameters from earlier responses by name, so a
    # customer's `organization_id: null` becomes /api/organizations/None/...: a URL the
    # document does not allow (ids are integers), sent as if it were valid. Such cases
    # test the link inference, not the API; drop them.
    return all(value is not None for value in (case.path_parameters or {}).values())

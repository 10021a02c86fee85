"""The permission matrix: for every URL name, what each persona gets on GET and on POST.

Default is deny: a persona not named gets a 404 when logged in and a redirect to the log-in
page when anonymous. A view restricted to one method answers the other with 405 (anonymous:
the log-in redirect comes first). Outcomes are those of the world in ``world.py`` requested
with no form data: an allowed persona's empty POST is usually refused by the form (400) or
by the service (a redirect back with a message) -- what matters here is who gets in.

A URL name missing from ``EXPECTED`` fails the matrix: a new view states its policy here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

from django.urls import Resolver404, resolve

from .world import PERSONAS

ANONYMOUS = "anonymous"
LOGGED_IN = tuple(p for p in PERSONAS if p != ANONYMOUS)
STAFF = ("manager", "admin_user")
# Who may read institution A's application and its evidence: its members, the cleared
# evaluator, staff. The conflicted and the other evaluator are outsiders.
APPLICATION_READERS = ("evaluator", "member", *STAFF)


@dataclass(frozen=True)
class Expect:
    status: int
    to: str = ""  # a redirect's target, as a view name
    back: bool = False  # the redirect carries ?next= the requested URL (log-in redirects)

    def __str__(self):
        return f"{self.status} → {self.to}" if self.to else str(self.status)

    def mismatch(self, response, url: str) -> str:
        """Why ``response`` (to a request for ``url``) is not this outcome; "" if it is."""
        got = _outcome(response)
        if got != str(self):
            return f"expected {self}, got {got}"
        if self.back:
            nxt = parse_qs(urlparse(response["Location"]).query).get("next", [""])[0]
            if nxt != url:
                return f"log-in redirect with next={nxt!r}, expected next={url!r}"
        return ""


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        try:
            return f"{response.status_code} → {resolve(urlparse(location).path).view_name}"
        except Resolver404:
            return f"{response.status_code} → {location}"
    return str(response.status_code)


OK = Expect(200)
BAD = Expect(400)  # the form or the service refused the (empty) input
UNPROCESSABLE = Expect(422)
NOT_FOUND = Expect(404)
NOT_ALLOWED = Expect(405)
LOGIN = Expect(302, "login", back=True)


def to(view_name: str) -> Expect:
    return Expect(302, view_name)


def each(personas, outcome: Expect) -> dict[str, Expect]:
    return dict.fromkeys(personas, outcome)


def _deny(persona: str) -> Expect:
    return LOGIN if persona == ANONYMOUS else NOT_FOUND


def _wrong_method(persona: str) -> Expect:
    return LOGIN if persona == ANONYMOUS else NOT_ALLOWED


def _table(allowed: dict[str, Expect], default) -> dict[str, Expect]:
    unknown = set(allowed) - set(PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    return {p: allowed.get(p, default(p)) for p in PERSONAS}


@dataclass(frozen=True)
class Rule:
    get: dict[str, Expect]
    post: dict[str, Expect]
    post_only: bool = False
    # htmx requests (HX-Request: true) the page sends to this view, by method; personas not
    # named are denied as usual.
    htmx_method: str = ""
    htmx: dict[str, Expect] | None = None

    def cases(self):
        """(method, persona → outcome, request headers) for every case of this URL."""
        yield "get", self.get, {}
        yield "post", self.post, {}
        if self.htmx is not None:
            yield self.htmx_method, _table(self.htmx, _deny), {"HX-Request": "true"}

    def post_allowed(self) -> list[str]:
        """Personas whose POST reaches the view (neither denied nor a wrong method)."""
        return [p for p, e in self.post.items() if e not in (_deny(p), _wrong_method(p))]


def page(**allowed: Expect) -> Rule:
    """A page with no method restriction: a POST is answered as the GET."""
    outcomes = _table(allowed, _deny)
    return Rule(get=outcomes, post=outcomes)


def get_only(**allowed: Expect) -> Rule:
    """``require_GET``: a POST is 405 for anyone logged in."""
    return Rule(get=_table(allowed, _deny), post=_table({}, _wrong_method))


def post_only(**allowed: Expect) -> Rule:
    """``require_POST``: a GET is 405 for anyone logged in."""
    return Rule(get=_table({}, _wrong_method), post=_table(allowed, _deny), post_only=True)


def form(get: dict[str, Expect], post: dict[str, Expect]) -> Rule:
    """A form page: GET shows it, POST submits it."""
    return Rule(get=_table(get, _deny), post=_table(post, _deny))


def htmx_post(rule: Rule, **allowed: Expect) -> Rule:
    return Rule(rule.get, rule.post, rule.post_only, "post", allowed)


def htmx_get(rule: Rule, **allowed: Expect) -> Rule:
    return Rule(rule.get, rule.post, rule.post_only, "get", allowed)


EXPECTED: dict[str, Rule] = {
    # --- config: home, health, accounts, language --------------------------------------------
    "home": page(**each(LOGGED_IN, OK)),
    "healthz": Rule(get=each(PERSONAS, OK), post=each(PERSONAS, NOT_ALLOWED)),
    "login": Rule(
        get={ANONYMOUS: OK, **each(LOGGED_IN, to("home"))},
        post={ANONYMOUS: OK, **each(LOGGED_IN, to("home"))},  # no credentials: the form again
    ),
    "logout": Rule(get=each(PERSONAS, NOT_ALLOWED), post=each(PERSONAS, to("login"))),
    "password_change": form(get=each(LOGGED_IN, OK), post=each(LOGGED_IN, OK)),
    "password_change_done": get_only(**each(LOGGED_IN, OK)),
    # a reset link (issue 15): anyone may open it; a wrong token gets the "invalid link" page
    "password_reset_confirm": page(**each(PERSONAS, OK)),
    "password_reset_complete": Rule(get=each(PERSONAS, OK), post=each(PERSONAS, NOT_ALLOWED)),
    # the idle time-out's warning (issue 15): time left for anyone, extend for the logged-in
    "session_status": Rule(get=each(PERSONAS, OK), post=each(PERSONAS, NOT_ALLOWED)),
    "session_extend": post_only(**each(LOGGED_IN, OK)),
    # the second factor (issue 15): nobody in the world has enrolled, so the code page sends
    # everyone to enrolment, which anyone logged in may do (an empty code is refused)
    "second_factor_verify": page(**each(LOGGED_IN, to("second_factor_setup"))),
    "second_factor_setup": form(get=each(LOGGED_IN, OK), post=each(LOGGED_IN, BAD)),
    # --- institutions: users and roles (admins only; issue 15) ------------------------------
    "institutions:user_list": get_only(admin_user=OK),
    "institutions:user_detail": get_only(admin_user=OK),
    "institutions:user_role_grant": post_only(admin_user=BAD),  # no role, no reason
    "institutions:user_role_revoke": post_only(admin_user=BAD),
    "institutions:user_password_reset": post_only(admin_user=BAD),  # no reason
    "institutions:user_second_factor_reset": post_only(admin_user=BAD),  # no reason
    # --- people (issue 19, ADR 016) ----------------------------------------------------------
    # password reset: anyone; an empty POST is the form again
    "password_reset": Rule(get=each(PERSONAS, OK), post=each(PERSONAS, OK)),
    "password_reset_done": Rule(get=each(PERSONAS, OK), post=each(PERSONAS, NOT_ALLOWED)),
    # registration: anonymous signs up (an empty form is refused), a logged-in person is sent home
    "people:register": Rule(
        get={ANONYMOUS: OK, **each(LOGGED_IN, to("home"))},
        post={ANONYMOUS: BAD, **each(LOGGED_IN, to("home"))},
    ),
    "people:register_sent": page(**each(PERSONAS, OK)),
    "people:register_resend": Rule(get=each(PERSONAS, OK), post=each(PERSONAS, BAD)),
    # links that are not ours: the "invalid link" page (a POST through it is refused)
    "people:register_confirm": Rule(get=each(PERSONAS, OK), post=each(PERSONAS, BAD)),
    "people:invitation_accept": Rule(get=each(PERSONAS, OK), post=each(PERSONAS, BAD)),
    "people:invitation_resend": Rule(get=each(PERSONAS, NOT_ALLOWED), post=each(PERSONAS, BAD)),
    # everyone logged in: their own page and the 열람 청구 download
    "people:account": get_only(**each(LOGGED_IN, OK)),
    "people:account_data": get_only(**each(LOGGED_IN, OK)),
    # an institution's members see their own colleagues (an empty invitation is refused)
    "people:members": form(
        get={"member": OK, "other_member": OK}, post={"member": BAD, "other_member": BAD}
    ),
    # admins only: registrations (the pending one's e-mail is unconfirmed: approval refused),
    # institutions, sanctions, invitations, deactivation (no reason: refused)
    "people:registration_list": page(admin_user=OK),
    "people:registration_detail": page(admin_user=OK),
    "people:registration_approve": post_only(admin_user=to("people:registration_detail")),
    "people:registration_reject": post_only(admin_user=to("people:registration_detail")),
    # the evaluator pool: empty forms are refused (an empty affiliation goes back with a message)
    "people:evaluator_list": form(get={"admin_user": OK}, post={"admin_user": BAD}),
    "people:evaluator_detail": form(get={"admin_user": OK}, post={"admin_user": BAD}),
    "people:affiliation_add": post_only(admin_user=to("people:evaluator_detail")),
    "people:people_log": page(admin_user=OK),
    "people:institution_list": page(admin_user=OK),
    "people:institution_detail": page(admin_user=OK),
    "people:institution_edit": form(get={"admin_user": OK}, post={"admin_user": BAD}),
    # bulk import: an empty upload is refused; confirming without a previewed file goes back
    "people:institution_import": form(get={"admin_user": OK}, post={"admin_user": BAD}),
    "people:institution_import_confirm": post_only(admin_user=to("people:institution_import")),
    "people:sanction_add": post_only(admin_user=to("people:institution_detail")),
    "people:institution_invite": post_only(admin_user=to("people:institution_detail")),
    "people:member_deactivate": post_only(admin_user=to("people:institution_detail")),
    "set_language": Rule(get=each(PERSONAS, to("home")), post=each(PERSONAS, to("home"))),
    # --- indicators: every role reads published rubrics; only admins manage and edit --------
    "indicators:version_list": get_only(**each(LOGGED_IN, OK)),
    "indicators:version_import": form(get={"admin_user": OK}, post={"admin_user": BAD}),
    "indicators:version_detail": get_only(**each(LOGGED_IN, OK)),
    "indicators:version_export": get_only(admin_user=OK),
    "indicators:version_clone": post_only(admin_user=BAD),
    # the frozen version: publish and delete are refused, retire is allowed
    # GET: the confirmation page (the world's version is published: back to its page)
    "indicators:version_publish": form(
        get={"admin_user": to("indicators:version_detail")},
        post={"admin_user": to("indicators:version_detail")},
    ),
    "indicators:version_retire": post_only(admin_user=to("indicators:version_detail")),
    "indicators:version_delete": post_only(admin_user=to("indicators:version_detail")),
    # the draft editor (the tree answers htmx with the fragment, refusals included)
    "indicators:editor": get_only(admin_user=OK),
    "indicators:editor_settings": htmx_post(post_only(admin_user=BAD), admin_user=OK),
    "indicators:area_add": htmx_post(post_only(admin_user=BAD), admin_user=OK),
    "indicators:indicator_add": htmx_post(post_only(admin_user=BAD), admin_user=OK),
    "indicators:area_substitution": htmx_post(
        post_only(admin_user=to("indicators:editor")), admin_user=OK
    ),
    "indicators:item_add": htmx_post(post_only(admin_user=BAD), admin_user=OK),
    "indicators:node_update": htmx_post(post_only(admin_user=BAD), admin_user=OK),
    "indicators:node_remove": htmx_post(
        post_only(admin_user=to("indicators:editor")), admin_user=OK
    ),
    "indicators:node_move": htmx_post(post_only(admin_user=to("indicators:editor")), admin_user=OK),
    "indicators:item_edit": form(get={"admin_user": OK}, post={"admin_user": BAD}),
    "indicators:checkpoint_add": post_only(admin_user=BAD),
    "indicators:checkpoint_update": post_only(admin_user=BAD),
    "indicators:checkpoint_remove": post_only(admin_user=to("indicators:item_edit")),
    "indicators:checkpoint_move": post_only(admin_user=to("indicators:item_edit")),
    # --- evaluation: cycles (admins manage, managers read) --------------------------------
    "evaluation:cycle_list": page(**each(STAFF, OK)),
    "evaluation:cycle_create": form(get={"admin_user": OK}, post={"admin_user": BAD}),
    "evaluation:cycle_detail": page(**each(STAFF, OK)),
    # no expected_stage: refused, back to the cycle
    # the gate's checklist and the confirmation; an empty POST lacks the confirmation box
    "evaluation:cycle_advance": form(get={"admin_user": OK}, post={"admin_user": BAD}),
    # --- the process (ADR 011): objections, 재심, withdrawal requests ------------------------
    "evaluation:objection_list": page(**each(STAFF, OK)),
    # A's member may object (the world already holds A's objection: an empty POST is refused)
    "evaluation:objection_file": form(get={"member": OK}, post={"member": BAD}),
    "evaluation:objection_detail": page(**each(("member", *STAFF), OK)),
    "evaluation:objection_decide": post_only(admin_user=BAD),
    "evaluation:objection_conclude": post_only(admin_user=BAD),
    "evaluation:withdrawal_decide": form(get={"admin_user": OK}, post={"admin_user": BAD}),
    "evaluation:cycle_applications": page(**each(STAFF, OK)),
    # --- evaluation: the institution portal -------------------------------------------------
    "evaluation:portal": page(member=OK, other_member=OK),
    # the open cycle takes applications from any institution that has not applied yet
    "evaluation:apply": form(
        get={"member": OK, "other_member": OK}, post={"member": BAD, "other_member": BAD}
    ),
    "evaluation:checklist": page(**each(APPLICATION_READERS, OK)),
    # submitted already: the member's POST is refused with a message
    "evaluation:submit": form(get={"member": OK}, post={"member": to("evaluation:checklist")}),
    "evaluation:reopen": post_only(admin_user=to("evaluation:checklist")),
    "evaluation:item_evidence": page(**each(APPLICATION_READERS, OK)),
    "evaluation:narrative_save": post_only(member=to("evaluation:item_evidence")),
    "evaluation:upload": post_only(member=BAD),  # no file (and the evidence is locked)
    "evaluation:file_remove": post_only(member=to("evaluation:item_evidence")),
    "evaluation:file_link": post_only(member=to("evaluation:item_evidence")),
    "evaluation:file_preview": get_only(**each(APPLICATION_READERS, OK)),
    "evaluation:file_inline": get_only(**each(APPLICATION_READERS, OK)),
    "evaluation:file_download": get_only(**each(APPLICATION_READERS, OK)),
    "evaluation:access_log": get_only(**each(STAFF, OK)),
    # --- evaluation: assignments, pledges, conflicts --------------------------------------
    "evaluation:assignment_board": page(**each(STAFF, OK)),
    "evaluation:assignment_bulk": form(get={"admin_user": OK}, post={"admin_user": BAD}),
    "evaluation:assignment_auto": form(get={"admin_user": OK}, post={"admin_user": BAD}),
    "evaluation:conflicts": page(**each(STAFF, OK)),
    # evaluators with an active assignment in the cycle (other_evaluator's is on B); the
    # conflicted evaluator's only assignment is excluded
    "evaluation:pledge": form(
        get={"evaluator": OK, "other_evaluator": OK},
        post={"evaluator": OK, "other_evaluator": OK},  # signed already: the page again
    ),
    "evaluation:application_assignments": form(
        get=each(STAFF, OK),
        post={"admin_user": BAD},  # managers read, admins assign
    ),
    "evaluation:challenge_request": form(get={"member": OK}, post={"member": BAD}),
    "evaluation:open_assignment": page(evaluator=to("evaluation:sheet")),
    "evaluation:declare": form(get={"evaluator": OK}, post={"evaluator": BAD}),
    "evaluation:disqualify": post_only(admin_user=to("evaluation:application_assignments")),
    "evaluation:challenge_decide": post_only(admin_user=to("evaluation:conflicts")),
    # --- evaluation: the score sheet (the assigned evaluator's own; staff read the audit) ---
    "evaluation:sheet": get_only(evaluator=OK),
    # confirmed sheet: the plain form is sent back with a message, htmx gets 422
    "evaluation:score_save": htmx_post(
        post_only(evaluator=to("evaluation:sheet")), evaluator=UNPROCESSABLE
    ),
    "evaluation:sheet_confirm": form(get={"evaluator": OK}, post={"evaluator": BAD}),
    "evaluation:sheet_unlock": post_only(admin_user=to("evaluation:sheet_audit")),
    "evaluation:sheet_audit": get_only(**each(STAFF, OK)),
    # --- evaluation: results (staff read, admins decide) ---------------------------------
    "evaluation:cycle_dashboard": page(**each(STAFF, OK)),
    "evaluation:cycle_chart": page(**each(STAFF, OK)),
    "evaluation:cycle_recompute": post_only(admin_user=to("evaluation:cycle_dashboard")),
    # reliability (ADR 015): staff; an evaluator sees only their own, once the cycle is 확정
    # (the world's cycle is at 결과통보, so nobody gets it there)
    "evaluation:cycle_reliability": page(**each(STAFF, OK)),
    "evaluation:reliability_chart": page(**each(STAFF, OK)),
    "evaluation:my_severity": page(),
    # staff: the full result; A's member: its own result, the cycle being at 결과통보
    "evaluation:application_result": page(**each(("member", *STAFF), OK)),
    "evaluation:committee_decide": post_only(admin_user=BAD),
    "evaluation:substitution_confirm": post_only(admin_user=BAD),
    # --- reports: staff all; evaluators their own 평가표; members their 결과보고서 once notified
    "reports:index": get_only(**each(LOGGED_IN, OK)),
    "reports:access_log": get_only(**each(STAFF, OK)),
    "reports:cycle": get_only(**each(STAFF, OK)),
    "reports:request_summary": post_only(**each(STAFF, to("reports:detail"))),
    "reports:request_batch": post_only(**each(STAFF, to("reports:detail"))),
    "reports:request_result": post_only(**each(("member", *STAFF), to("reports:detail"))),
    "reports:request_sheet": post_only(**each(("evaluator", *STAFF), to("reports:detail"))),
    "reports:detail": get_only(**each(("member", *STAFF), OK)),
    "reports:status": htmx_get(
        get_only(**each(("member", *STAFF), OK)), **each(("member", *STAFF), OK)
    ),
    "reports:download": get_only(**each(("member", *STAFF), OK)),
    # --- notifications (ADR 012): everyone logged in has their own list and e-mail choices;
    # the outbox (and releasing a held mass notice) is for admins only
    "notifications:list": get_only(**each(LOGGED_IN, OK)),
    "notifications:read": post_only(**each(LOGGED_IN, to("notifications:list"))),
    "notifications:preferences": form(
        get=each(LOGGED_IN, OK), post=each(LOGGED_IN, to("notifications:preferences"))
    ),
    "notifications:outbox": get_only(admin_user=OK),
    "notifications:release": post_only(admin_user=to("notifications:outbox")),
    "reports:request_certification": post_only(**each(("member", *STAFF), to("reports:detail"))),
    # --- certifications (ADR 017): staff list, admins revoke (an empty reason is refused),
    # holders and staff open one; anyone verifies by code and reads the certified list
    "evaluation:certification_list": page(**each(STAFF, OK)),
    "evaluation:certification_detail": get_only(**each(("member", *STAFF), OK)),
    "evaluation:certification_revoke": form(get={"admin_user": OK}, post={"admin_user": BAD}),
    "evaluation:certification_verify": Rule(
        get=each(PERSONAS, OK), post=each(PERSONAS, NOT_ALLOWED)
    ),
    "evaluation:certified_list": Rule(get=each(PERSONAS, OK), post=each(PERSONAS, NOT_ALLOWED)),
}

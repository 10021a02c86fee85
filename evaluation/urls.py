from django.urls import path

from .views import assignment, cycles, files, portal, process, reliability, results, sheet
from .views import certification as certification_views

app_name = "evaluation"

urlpatterns = [
    # Admin / manager
    path("cycles/", cycles.cycle_list, name="cycle_list"),
    path("cycles/new/", cycles.cycle_create, name="cycle_create"),
    path("cycles/<slug:slug>/", cycles.cycle_detail, name="cycle_detail"),
    path("cycles/<slug:slug>/advance/", process.cycle_advance, name="cycle_advance"),
    path(
        "cycles/<slug:slug>/applications/",
        cycles.cycle_applications,
        name="cycle_applications",
    ),
    # The process: 이의신청, 재심 and withdrawal requests after 확정 (ADR 011)
    path("cycles/<slug:slug>/objections/", process.objection_list, name="objection_list"),
    path("applications/<int:pk>/objection/", process.objection_file, name="objection_file"),
    path("objections/<int:pk>/", process.objection_detail, name="objection_detail"),
    path("objections/<int:pk>/decide/", process.objection_decide, name="objection_decide"),
    path("objections/<int:pk>/conclude/", process.objection_conclude, name="objection_conclude"),
    path("withdrawals/<int:pk>/", process.withdrawal_decide_view, name="withdrawal_decide"),
    # Institution portal
    path("portal/", portal.portal, name="portal"),
    path("portal/apply/<slug:slug>/", portal.apply, name="apply"),
    path("applications/<int:pk>/", portal.checklist, name="checklist"),
    path("applications/<int:pk>/submit/", portal.submit, name="submit"),
    path("applications/<int:pk>/reopen/", portal.reopen, name="reopen"),
    path("applications/<int:pk>/items/<str:code>/", portal.item_evidence, name="item_evidence"),
    path(
        "applications/<int:pk>/items/<str:code>/narrative/",
        portal.narrative_save,
        name="narrative_save",
    ),
    path("applications/<int:pk>/items/<str:code>/upload/", portal.upload, name="upload"),
    # Evidence files: every byte goes through these
    path("evidence/<int:pk>/remove/", portal.file_remove, name="file_remove"),
    path("applications/<int:pk>/items/<str:code>/link/", portal.file_link, name="file_link"),
    path("evidence/<int:pk>/preview/", files.file_preview, name="file_preview"),
    path("evidence/<int:pk>/inline/", files.file_inline, name="file_inline"),
    path("evidence/<int:pk>/download/", files.file_download, name="file_download"),
    path("evidence/access-log/", files.access_log, name="access_log"),
    # --- assignment, pledges and conflicts (scoring issue) ---
    path("cycles/<slug:slug>/assignments/", assignment.board, name="assignment_board"),
    path("cycles/<slug:slug>/assignments/bulk/", assignment.bulk, name="assignment_bulk"),
    path("cycles/<slug:slug>/assignments/auto/", assignment.auto, name="assignment_auto"),
    path("cycles/<slug:slug>/conflicts/", assignment.conflicts, name="conflicts"),
    path("cycles/<slug:slug>/pledge/", assignment.pledge, name="pledge"),
    path(
        "applications/<int:pk>/assignments/",
        assignment.application_assignments,
        name="application_assignments",
    ),
    path(
        "applications/<int:pk>/challenges/",
        assignment.challenge_request,
        name="challenge_request",
    ),
    path("assignments/<int:pk>/", assignment.open_assignment, name="open_assignment"),
    path("assignments/<int:pk>/declare/", assignment.declare, name="declare"),
    path("assignments/<int:pk>/disqualify/", assignment.disqualify, name="disqualify"),
    path("challenges/<int:pk>/decide/", assignment.challenge_decide, name="challenge_decide"),
    # --- score sheets (scoring issue) ---
    path("sheets/<int:pk>/", sheet.sheet, name="sheet"),
    path("sheets/<int:pk>/items/<str:code>/", sheet.score_save, name="score_save"),
    path("sheets/<int:pk>/confirm/", sheet.sheet_confirm, name="sheet_confirm"),
    path("sheets/<int:pk>/unlock/", sheet.sheet_unlock, name="sheet_unlock"),
    path("applications/<int:pk>/audit/", sheet.sheet_audit, name="sheet_audit"),
    # --- results and dashboards (scoring issue) ---
    path("cycles/<slug:slug>/dashboard/", results.cycle_dashboard, name="cycle_dashboard"),
    path("cycles/<slug:slug>/dashboard/<str:kind>.svg", results.cycle_chart, name="cycle_chart"),
    path("cycles/<slug:slug>/recompute/", results.cycle_recompute, name="cycle_recompute"),
    path(
        "cycles/<slug:slug>/reliability/", reliability.cycle_reliability, name="cycle_reliability"
    ),
    path(
        "cycles/<slug:slug>/reliability/severity.svg",
        reliability.reliability_chart,
        name="reliability_chart",
    ),
    path("cycles/<slug:slug>/my-severity/", reliability.my_severity, name="my_severity"),
    path("applications/<int:pk>/result/", results.application_result, name="application_result"),
    path("applications/<int:pk>/result/decide/", results.committee_decide, name="committee_decide"),
    path(
        "applications/<int:pk>/result/substitute/",
        results.substitution_confirm,
        name="substitution_confirm",
    ),
    # --- certifications (인증서, ADR 017): admins revoke, holders download, anyone verifies ---
    path(
        "cycles/<slug:slug>/certifications/",
        certification_views.certification_list,
        name="certification_list",
    ),
    path(
        "certifications/<int:pk>/",
        certification_views.certification_detail,
        name="certification_detail",
    ),
    path(
        "certifications/<int:pk>/revoke/",
        certification_views.certification_revoke_view,
        name="certification_revoke",
    ),
    path(
        "verify/<str:code>/",
        certification_views.certification_verify,
        name="certification_verify",
    ),
    path("certified/", certification_views.certified_list, name="certified_list"),
]

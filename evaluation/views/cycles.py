"""Admin (and manager, read-only) pages for cycles and their applications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from institutions.roles import is_staff_reader

from .. import process, queries, services
from ..forms import CycleForm
from ..models import STAGE_ORDER, Stage
from .common import error_messages, require


def _staff_cycle(request, slug):
    require(is_staff_reader(request.user))
    return get_object_or_404(
        queries.visible_cycles(request.user).select_related("rubric_version__rubric"), slug=slug
    )


@login_required
def cycle_list(request):
    require(is_staff_reader(request.user))
    return render(
        request,
        "evaluation/cycle_list.html",
        {
            "cycles": queries.cycles_for_list(request.user),
            "can_manage": queries.can_manage_cycles(request.user),
        },
    )


@login_required
def cycle_create(request):
    require(queries.can_manage_cycles(request.user))
    form = CycleForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_create(
                by=request.user,
                title=data["title"],
                slug=data["slug"],
                rubric_version=data["rubric_version"],
                reference_date=data["reference_date"],
                evidence_deadline=data["evidence_deadline"],
                aggregation_rule=data["aggregation_rule"],
                pass_threshold=data["pass_threshold"],
                evaluators_per_application=data["evaluators_per_application"],
                require_comment=data["require_comment"],
                show_other_sheets_after_confirm=data["show_other_sheets_after_confirm"],
                disagreement_ratio=data["disagreement_ratio"],
                show_rank=data["show_rank"],
                publish_comments=data["publish_comments"],
                objection_days=data["objection_days"],
                certificate_years=data["certificate_years"],
                stage_dates=form.stage_dates(),
                area_minimums=data["area_minimums"],
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(
                request, _("'%(title)s' 평가 주기를 만들었습니다.") % {"title": cycle.title}
            )
            return redirect("evaluation:cycle_detail", slug=cycle.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "evaluation/cycle_form.html", {"form": form, "errors": errors}, status=status
    )


@login_required
def cycle_detail(request, slug):
    cycle = _staff_cycle(request, slug)
    dates = {d.stage: d.starts_on for d in cycle.stage_dates.all()}
    advances = {a.to_stage: a for a in cycle.advances.select_related("advanced_by")}
    current = STAGE_ORDER.index(cycle.stage)
    stages = [
        {
            "stage": Stage(value),
            "starts_on": dates.get(value),
            "advance": advances.get(value),
            "done": i < current,
            "current": i == current,
        }
        for i, value in enumerate(STAGE_ORDER)
    ]
    return render(
        request,
        "evaluation/cycle_detail.html",
        {
            "cycle": cycle,
            "stages": stages,
            "area_minimums": cycle.area_minimums.select_related("area"),
            "n_applications": cycle.applications.count(),
            "can_manage": queries.can_manage_cycles(request.user),
            "blockers": process.stage_blockers(cycle),
        },
    )


@login_required
def cycle_applications(request, slug):
    cycle = _staff_cycle(request, slug)
    return render(
        request,
        "evaluation/cycle_applications.html",
        {"cycle": cycle, "applications": queries.cycle_applications(cycle)},
    )

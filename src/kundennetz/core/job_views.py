"""Pages of background jobs (exports, recomputes, scenarios): a progress bar while one runs (HTMX
polling), its result or the reason it failed, the file to download for a day. Each person sees their
own jobs; the admin everyone's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import require_safe

from kundennetz.domain.progress import percent, seconds_left

from . import jobs
from .models import Job
from .permissions import get_for, restrict


def progress_context(job: Job) -> dict:
    elapsed = (timezone.now() - job.started_at).total_seconds() if job.started_at else 0
    left = seconds_left(elapsed, job.done, job.total)
    return {"job": job, "percent": percent(job.done, job.total),
            "minutes_left": max(1, round(left / 60)) if left is not None and left >= 60 else None,
            "seconds_left": left if left is not None and left < 60 else None}


@login_required
@require_safe
def job_list(request):
    return render(request, "core/job_list.html", {"jobs": restrict(Job.objects.all(), request.user).order_by("-created_at")[:50]})


@login_required
@require_safe
def job_detail(request, pk):
    job = get_for(Job.objects.all(), request.user, pk)
    if job.status == Job.Status.DONE and job.result.get("url") and not job.file_name:
        # Work whose result is a page (a snapshot, a scenario): show it, saying what was done.
        if job.result.get("message"):
            messages.success(request, job.result["message"])
        return redirect(job.result["url"])
    return render(request, "core/job.html", progress_context(job))


@login_required
@require_safe
def job_progress(request, pk):
    job = get_for(Job.objects.all(), request.user, pk)
    if not job.working:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "core/_job_progress.html", progress_context(job))


def download_response(job: Job) -> StreamingHttpResponse:
    if not job.downloadable:
        raise Http404
    response = StreamingHttpResponse(jobs.file_chunks(job), content_type=job.params.get(
        "content_type", "application/octet-stream"))
    # The length is known: a transfer cut short is seen as incomplete by every client.
    response["Content-Length"] = str(job.file_size)
    response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
    return response


@login_required
@require_safe
def job_download(request, pk):
    return download_response(get_for(Job.objects.all(), request.user, pk))


urlpatterns = [
    path("jobs/", job_list, name="list"),
    path("jobs/<int:pk>/", job_detail, name="detail"),
    path("jobs/<int:pk>/progress/", job_progress, name="progress"),
    path("jobs/<int:pk>/download", job_download, name="download"),
]
urls = include((urlpatterns, "jobs"))

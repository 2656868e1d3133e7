"""Background work of win/loss learning: the weekly re-fit (scheduled by the task workers, see core.jobs)."""

from django_tasks import task

from . import services


@task()
def refit_win_model() -> dict:
    """Fit the win model on the closed deals of today and re-score every opportunity; with too little
    history it stores nothing and says why."""
    try:
        record = services.fit_and_store_win_model()
    except services.Refused as refusal:
        return {"refused": str(refusal)}
    return services.fit_summary(record)


@task()
def refresh_win_scores() -> dict:
    """Re-score every opportunity (after the costs of a bid changed: the expected values move)."""
    return {"scored": services.refresh_scores()}

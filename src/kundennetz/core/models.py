"""Users with a role and a language, API tokens, and the abstract bases every record of the network uses."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundennetz.domain.text import sort_key

from .capabilities import has
from .permissions import VIEW, by_role, is_signed_in, may_edit_settings, own
from .roles import Role


class Bookkeeping:
    """A table the machinery keeps for itself (workers' signs of life, scheduled runs, change counters,
    stored API answers, reminders sent, imports' external ids): it hangs off no account, and no page or
    endpoint shows or changes its rows, for anyone (`restrict` answers nothing)."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        return queryset.none()


class SortKeyQuerySet(models.QuerySet):
    """Bulk writes and ``update`` keep the stored sort keys (`SortKeyed`) in step, as ``save()`` does."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.refresh_sort_keys()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        keys = self.model.keys_of(fields)
        if keys:
            for obj in objs:
                obj.refresh_sort_keys()
            fields += [name for name in keys if name not in fields]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        keys = [name for name in self.model.keys_of(kwargs) if name not in kwargs]
        if not keys:
            return super().update(**kwargs)
        # The new values may be expressions: read them back and derive the keys from what was stored.
        with transaction.atomic(using=self.db, savepoint=False):
            ids = list(self.values_list("pk", flat=True))
            done = super().update(**kwargs)
            rows = list(self.model._base_manager.using(self.db).filter(pk__in=ids))
            for row in rows:
                row.refresh_sort_keys()
            models.QuerySet.bulk_update(self.model._base_manager.using(self.db).all(), rows, keys, batch_size=1000)
        return done


class SortKeyed(models.Model):
    """A record other lists sort by (an account's owner, its customer group): its German sort keys
    (``domain.text.sort_key``) kept in columns of its own, `sort_keys` naming each key's source fields.
    Every ORM write keeps them (save, bulk_create, bulk_update, update); database triggers copy them onto
    the rows listed by them (``accounts.sortkeys``), so that such a list sorts by an index of its own row."""

    sort_keys: dict[str, tuple[str, ...]] = {}

    class Meta:
        abstract = True

    @classmethod
    def keys_of(cls, fields) -> list[str]:
        """The sort keys derived from any of `fields`."""
        fields = set(fields)
        return [name for name, sources in cls.sort_keys.items() if fields & set(sources)]

    def refresh_sort_keys(self) -> None:
        for name, sources in self.sort_keys.items():
            setattr(self, name, sort_key(*(getattr(self, source) for source in sources)))

    def save(self, *args, **kwargs):
        self.refresh_sort_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and self.keys_of(update_fields):
            kwargs["update_fields"] = {*update_fields, *self.keys_of(update_fields)}
        super().save(*args, **kwargs)


class UserManager(DjangoUserManager.from_queryset(SortKeyQuerySet)):
    pass


class User(SortKeyed, AbstractUser):
    """A person on our side. The role decides what they may see and change; the language what they read."""

    # Our people belong to no account: everyone signed in sees who they are (owners, teams); admins
    # keep them (in the admin site).
    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        return by_role(queryset, user, action, view=is_signed_in, change=may_edit_settings)

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.READ_ONLY)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="de-ch")
    # Last then first name in German order: how the lists sort accounts and opportunities by their owner.
    name_sort = models.CharField(max_length=200, blank=True, default="", db_default="", editable=False)

    sort_keys = {"name_sort": ("last_name", "first_name")}
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_managing(self) -> bool:
        """Admin and sales head see and change every record of the network."""
        return has(self, "change_any_account")

    @property
    def is_observing(self) -> bool:
        """Marketing and read-only users see everything and change no record of the network."""
        return has(self, "view_network") and not has(self, "change_any_account")

    def save(self, *args, **kwargs):
        # Admins manage users and catalogues in Django's admin; nobody else gets in there.
        if self.role == Role.ADMIN:
            self.is_staff = True
        with transaction.atomic():
            super().save(*args, **kwargs)
            # Groups mirror the role so that Django's own permission machinery agrees with it.
            group, _created = Group.objects.get_or_create(name=self.role)
            if list(self.groups.values_list("name", flat=True)) != [self.role]:
                self.groups.set([group])


class StaleVersion(ValidationError):
    """Someone else saved the record since it was read: saving now would overwrite their change unseen."""

    def __init__(self, record=None):
        super().__init__(
            _("Someone else changed this record in the meantime. Look at their change and save again."),
            code="stale")
        self.record = record


class RecordVersionMixin:
    """What makes a record's version count (mix in before ``models.Model``; `VersionedModel` is the usual way).

    The UPDATE names the version it was read at (``WHERE id = … AND version = …``), so two people saving
    the same record cannot both win: the second gets `StaleVersion` instead of overwriting the first.
    Forms and the API set the version to what the user saw before saving (see `core.concurrency`).
    `version_field` names the field holding it: ``version`` unless the record already has a field of that
    name with another meaning (a question catalogue's own version number, say).
    """

    version_field = "version"

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        field = self._meta.get_field(self.version_field)
        seen = getattr(self, field.attname) or 0
        values = [(f, m, seen + 1 if f is field else v) for f, m, v in values]
        if not any(f is field for f, _m, _v in values):
            values.append((field, None, seen + 1))
        if base_qs.filter(pk=pk_val, **{field.attname: seen})._update(values) > 0:
            setattr(self, field.attname, seen + 1)
            return True
        if base_qs.filter(pk=pk_val).exists():
            raise StaleVersion(self)
        return False


def record_version(record) -> int | None:
    """The version of a record that has one (see `RecordVersionMixin`), else None."""
    name = getattr(type(record), "version_field", None)
    return getattr(record, name) if name else None


class VersionedModel(RecordVersionMixin, models.Model):
    """A version number per record, raised by every save; a save based on an older version is refused."""

    version = models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)

    class Meta:
        abstract = True


class TrackedModel(VersionedModel):
    """Created/updated timestamps and who did it; the field-level history comes from django-simple-history."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        abstract = True

    def stamp(self, user) -> None:
        """Record who is saving this record (call before save)."""
        if user is not None and getattr(user, "is_authenticated", False):
            if self._state.adding and self.created_by_id is None:
                self.created_by = user
            self.updated_by = user


class ActiveQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """The records `user` may act on with `action` (see `core.permissions.restrict`)."""
        from .permissions import restrict

        return restrict(self, user, action)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class ActiveManager(models.Manager.from_queryset(ActiveQuerySet)):
    """Hides records in the trash; `all_objects` still sees them."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(models.Model):
    """Deleting moves a record to the trash; an admin or sales head can restore it."""

    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("deleted by"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )

    objects = ActiveManager()
    all_objects = ActiveQuerySet.as_manager()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def trash_dependants(self) -> list["SoftDeleteModel"]:
        """Records that go to the trash (and come back) together with this one."""
        return []

    def soft_delete(self, user, when=None) -> None:
        when = when or timezone.now()
        with transaction.atomic():
            for dependant in self.trash_dependants():
                if dependant.deleted_at is None:
                    dependant.soft_delete(user, when)
            self.deleted_at, self.deleted_by = when, user
            self.save()

    def restore(self, user) -> None:
        when = self.deleted_at
        with transaction.atomic():
            self.deleted_at, self.deleted_by = None, None
            if hasattr(self, "stamp"):
                self.stamp(user)
            self.save()
            for dependant in self.trash_dependants():
                # Only what went to the trash with this record comes back with it.
                if dependant.deleted_at == when:
                    dependant.restore(user)


def hash_token(raw: str) -> str:
    """What is stored of an API token: its SHA-256, never the token itself."""
    return hashlib.sha256(raw.encode()).hexdigest()


LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the token itself is shown once on creation."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """A token is its holder's alone: nobody else sees, renames or revokes it on a page or the API."""
        return own(queryset, user, "user")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        """Create a token for `user`; returns the record and the raw token, which is never stored."""
        raw = "kn_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:10], key_hash=hash_token(raw))
        return token, raw

    @classmethod
    def authenticate(cls, raw: str):
        """The active user behind a raw token, or None."""
        if not raw:
            return None
        token = cls.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        # Written at most once a minute: a write per request would queue every API read behind a long
        # import on SQLite (one writer at a time) and costs a write for nothing on any database.
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            from django.db import OperationalError

            try:
                cls.objects.filter(pk=token.pk).update(last_used_at=now)
            except OperationalError:  # the database is busy with a long write: the stamp can wait
                pass
        return token.user



class TranslatedName(VersionedModel):
    """A name kept in German and English; `name` gives the one for the active language.

    Versioned like every other edited record: two administrators editing one pipeline stage or customer
    group cannot overwrite each other unseen."""

    name_de = models.CharField(_("name (German)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name_de

    def __str__(self) -> str:
        return self.name


class IdempotencyKey(Bookkeeping, models.Model):
    """The first answer to a creating request, kept a day under the key its sender gave it.

    A repeated POST with the same key from the same user (a retry after a timeout, a double click) gets
    this answer again instead of creating a second record; see `core.idempotency`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # empty while the first request runs
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(default=b"", blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_one_answer_per_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class WorkerBeat(Bookkeeping, models.Model):
    """A task worker's sign of life, written every few seconds while it runs (see core.jobs)."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.IntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} ({self.worker_id[:8]})"


class ScheduledRun(Bookkeeping, models.Model):
    """One run of a scheduled job per period ("reminders" on 2026-03-02): the unique pair makes sure
    that of several workers exactly one enqueues it."""

    name = models.CharField(max_length=60)
    period = models.CharField(max_length=20)
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="unique_scheduled_run")]

    def __str__(self) -> str:
        return f"{self.name} {self.period}"


class Job(models.Model):
    """Long work a person started (a recompute, a scenario, an export): run by a task worker, with its
    progress kept here so that the page that started it can show it and be found again later."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Each person sees their own jobs, an admin everyone's; only one's own are acted on."""
        if action == VIEW and has(user, "view_all_jobs"):
            return queryset
        return own(queryset, user, "created_by")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="jobs")
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    # A file the job produced (an export), in JobFilePart; removed after `expires_at`.
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.BigIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def downloadable(self) -> bool:
        from django.utils import timezone

        return self.status == self.Status.DONE and bool(self.file_name) and (
            self.expires_at is None or self.expires_at > timezone.now())

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("jobs:detail", args=[self.pk])


# Versioned settings documents live in their own module; imported here so that Django finds the model.
from .tunables.models import TunableVersion  # noqa: E402,F401


class JobFilePart(models.Model):
    """One part (up to 1 MB) of the file a job produced, kept in the database so that any web process
    can hand out what any worker made; removed with the job's file after a day."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """The file goes with its job."""
        return queryset.filter(job__in=Job.restrict_records(Job.objects.all(), user, action))

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="unique_job_file_part")]


class ChangeCounter(Bookkeeping, models.Model):
    """Per input table of a stored figure, a number raised by each transaction that removed rows from it
    (or changed a row of a table without ``updated_at``): the changes its newest id and newest
    ``updated_at`` cannot show. Read by ``core.freshness`` by its unique label; written only there."""

    label = models.CharField(_("table"), max_length=100, unique=True)
    changes = models.BigIntegerField(_("changes"), default=0)

    class Meta:
        verbose_name = _("change counter")
        verbose_name_plural = _("change counters")

    def __str__(self) -> str:
        return f"{self.label}: {self.changes}"

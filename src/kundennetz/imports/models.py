"""Import batches (who brought in which file, how it was read, what it did), the records each batch
created or changed (so that it can be undone), reusable column mappings, and the external IDs of
contacts, opportunities and interactions (accounts keep theirs in `Account.external_id`)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kundennetz.core.models import Bookkeeping
from kundennetz.core.permissions import DELETE, VIEW, by_role, own

from .permissions import may_import, may_undo, visible_batches


class Kind(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    CONTACTS = "contacts", _("Contacts")
    OPPORTUNITIES = "opportunities", _("Opportunities")
    INTERACTIONS = "interactions", _("Interactions")


class ImportBatch(models.Model):
    """One file brought in: read and checked (dry run), then committed as a whole, perhaps undone."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Everyone sees their own imports, the admin and sales head everyone's (`visible_batches`). The
        person who uploaded a file maps and imports it (while their role may import); undoing a whole
        import is the admin's or sales head's decision."""
        if action == VIEW:
            return visible_batches(queryset, user)
        if action == DELETE:
            return by_role(queryset, user, action, view=may_undo, change=may_undo)
        return own(queryset, user, "created_by") if may_import(user) else queryset.none()

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKING = "checking", _("Checking")
        DRY_RUN = "dry_run", _("Checked (dry run)")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")
        UNDOING = "undoing", _("Undoing")
        UNDONE = "undone", _("Undone")
        FAILED = "failed", _("Failed")

    # Statuses in which a task works on the batch (the page shows its progress).
    WORKING = ("checking", "committing", "undoing")

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        COMMAND = "command", _("Command line")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED,
                              db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True,
                                   on_delete=models.SET_NULL, related_name="import_batches")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    committed_at = models.DateTimeField(_("imported"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("undone by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.BigIntegerField(_("file size"), default=0)
    file_format = models.CharField(_("format"), max_length=10, blank=True)
    # The file itself is kept in the database in parts (ImportFilePart), not on one server's disk, so that
    # any worker on any machine can check, commit or undo a batch; `stored` says whether it is there.
    stored = models.BooleanField(default=False, editable=False)
    encoding = models.CharField(_("encoding"), max_length=30, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=5, blank=True)
    layout = models.CharField(_("recognised layout"), max_length=40, blank=True)
    headers = models.JSONField(_("columns"), default=list, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    file_problem = models.JSONField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # Import the rows without errors and leave the others out (instead of all or nothing).
    skip_errors = models.BooleanField(_("skip rows with errors"), default=False)
    # Why the last step failed (status "failed"), in the language of whoever started it.
    failure = models.TextField(_("reason"), blank=True)
    # What happened to this batch's records through another batch's undo.
    note = models.TextField(blank=True)
    # Progress of the task working on the batch: rows (or records) done of total, since when.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_started_at = models.DateTimeField(null=True, blank=True)
    failed_step = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("imports:batch", args=[self.pk])

    @property
    def can_commit(self) -> bool:
        """Checked, the file still there, and no errors (or the choice to leave the rows with errors out)."""
        return self.status == self.Status.DRY_RUN and not self.file_problem and self.stored \
            and (self.error_count == 0 or self.importable_rows > 0)

    @property
    def importable_rows(self) -> int:
        return self.created_count + self.updated_count

    @property
    def working(self) -> bool:
        return self.status in self.WORKING

    @property
    def progress(self) -> dict:
        return {"done": self.progress_done, "total": self.progress_total}

    def set_counts(self, counts: dict) -> None:
        self.rows_total = counts.get("rows", 0)
        self.created_count = counts.get("create", 0)
        self.updated_count = counts.get("update", 0)
        self.unchanged_count = counts.get("unchanged", 0)
        self.skipped_count = counts.get("skip", 0)
        self.error_count = counts.get("error", 0)


class OfABatch:
    """Part of an import batch (its file, its rows, what it did): whoever may act on the batch may act on it."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        return queryset.filter(batch__in=ImportBatch.restrict_records(ImportBatch.objects.all(), user, action))


class ImportFilePart(OfABatch, models.Model):
    """One part (up to 1 MB) of an uploaded file, in order; read back as a stream by the workers."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="unique_import_file_part")]


class ImportRow(OfABatch, models.Model):
    """What one row of a batch's file does (or would do): the preview and the record of an import."""

    class Action(models.TextChoices):
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        UNCHANGED = "unchanged", _("Unchanged")
        SKIP = "skip", _("Skip")
        ERROR = "error", _("Error")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField(_("row"))
    action = models.CharField(_("outcome"), max_length=10, choices=Action.choices)
    label = models.CharField(_("record"), max_length=300, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    issues = models.JSONField(default=list, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["row"]
        indexes = [models.Index(fields=["batch", "row"]), models.Index(fields=["batch", "action", "row"])]


class ImportedRecord(OfABatch, models.Model):
    """A record a committed batch created or updated; for an update the values it replaced."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    model = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    previous = models.JSONField(null=True, blank=True)
    values = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["batch", "action"]), models.Index(fields=["model", "object_id"])]


class SavedMapping(models.Model):
    """A column mapping a user saved to reuse for the next file of the same kind and origin."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """A saved mapping is its owner's alone."""
        return own(queryset, user, "owner")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_mappings")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("mapping"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved mapping")
        verbose_name_plural = _("saved mappings")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["owner", "kind", "name"], name="unique_mapping_name")]

    def __str__(self) -> str:
        return self.name


class ExternalReference(Bookkeeping, models.Model):
    """The ID a record had in the system it came from, for upserts and links on the next import."""

    model = models.CharField(max_length=60)
    external_id = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "external_id"], name="unique_external_reference")]
        indexes = [models.Index(fields=["model", "object_id"])]

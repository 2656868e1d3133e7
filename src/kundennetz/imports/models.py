"""Import batches (who brought in which file, how it was read, what it did), the records each batch
created or changed (so that it can be undone), reusable column mappings, and the external IDs of
contacts, opportunities and interactions (accounts keep theirs in `Account.external_id`)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    CONTACTS = "contacts", _("Contacts")
    OPPORTUNITIES = "opportunities", _("Opportunities")
    INTERACTIONS = "interactions", _("Interactions")


class ImportBatch(models.Model):
    """One file brought in: read and checked (dry run), then committed as a whole, perhaps undone."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        DRY_RUN = "dry_run", _("Checked (dry run)")
        COMMITTED = "committed", _("Imported")
        UNDONE = "undone", _("Undone")

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
    # Kept in the database, not on one server's disk, so that any application process can commit a
    # batch another one checked. Only files small enough for the web wizard are kept (see views).
    content = models.BinaryField(null=True, editable=False)
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
        return self.status == self.Status.DRY_RUN and self.error_count == 0 and not self.file_problem \
            and self.content is not None

    def set_counts(self, counts: dict) -> None:
        self.rows_total = counts.get("rows", 0)
        self.created_count = counts.get("create", 0)
        self.updated_count = counts.get("update", 0)
        self.unchanged_count = counts.get("unchanged", 0)
        self.skipped_count = counts.get("skip", 0)
        self.error_count = counts.get("error", 0)


class ImportRow(models.Model):
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


class ImportedRecord(models.Model):
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


class ExternalReference(models.Model):
    """The ID a record had in the system it came from, for upserts and links on the next import."""

    model = models.CharField(max_length=60)
    external_id = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "external_id"], name="unique_external_reference")]
        indexes = [models.Index(fields=["model", "object_id"])]

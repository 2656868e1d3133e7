"""The lists' sorts by another record (an account's owner and customer group, an opportunity's account,
stage and owner) read an index of the listed row: the referenced row's sort key copied onto it and kept
there by triggers (accounts/sortkeys.py). Existing rows are filled set-based before their indexes are built.
On SQLite the triggers are created after the migrations have run (AccountsConfig)."""

from django.conf import settings
from django.db import migrations, models

from kundennetz.accounts.sortkeys import Copy
from kundennetz.domain.text import sort_key

# As of this migration (accounts.sortkeys.COPIES may grow later; its own migrations fill what they add).
COPIES = (
    Copy("accounts_account", "owner_sort", "owner_id", "core_user", "name_sort"),
    Copy("accounts_account", "segment_sort_de", "segment_id", "accounts_segment", "name_sort_de", "NULL", True),
    Copy("accounts_account", "segment_sort_en", "segment_id", "accounts_segment", "name_sort_en", "NULL", True),
    Copy("accounts_opportunity", "account_sort", "account_id", "accounts_account", "name_sort"),
    Copy("accounts_opportunity", "owner_sort", "owner_id", "core_user", "name_sort"),
    Copy("accounts_opportunity", "stage_sort", "stage_id", "accounts_stage", "order", "0", True),
)

# PostgreSQL reads a b-tree backwards with NULLs first; accounts without a customer group come last either
# way, so "-segment" needs an index of its own there (as 0007 does for the figures). SQLite's serve both.
DESCENDING = (("account_live_segment_de_desc", "segment_sort_de"), ("account_live_segment_en_desc", "segment_sort_en"))


def segment_keys(apps, schema_editor):
    Segment = apps.get_model("accounts", "Segment")
    segments = list(Segment.objects.all())
    for segment in segments:
        segment.name_sort_de, segment.name_sort_en = sort_key(segment.name_de), sort_key(segment.name_en)
    Segment.objects.bulk_update(segments, ["name_sort_de", "name_sort_en"])


def copy_keys(apps, schema_editor):
    from kundennetz.accounts import sortkeys

    sortkeys.fill(schema_editor.connection, COPIES, held=())
    if schema_editor.connection.vendor == "postgresql":
        sortkeys.install(schema_editor.connection, COPIES, held=())


def drop_triggers(apps, schema_editor):
    from kundennetz.accounts import sortkeys

    sortkeys.drop(schema_editor.connection, COPIES, held=())


def descending_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in DESCENDING:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON accounts_account ({column} DESC NULLS LAST, id DESC) "
                              f"WHERE deleted_at IS NULL")


def drop_descending_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in DESCENDING:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0018_live_lookups'),
        ('core', '0010_user_name_sort'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='account',
            name='owner_sort',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name='account',
            name='segment_sort_de',
            field=models.CharField(blank=True, editable=False, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='segment_sort_en',
            field=models.CharField(blank=True, editable=False, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='opportunity',
            name='account_sort',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name='opportunity',
            name='owner_sort',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name='opportunity',
            name='stage_sort',
            field=models.PositiveSmallIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name='segment',
            name='name_sort_de',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name='segment',
            name='name_sort_en',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=200),
        ),
        migrations.RunPython(segment_keys, migrations.RunPython.noop),
        migrations.RunPython(copy_keys, drop_triggers),
        migrations.AddIndex(
            model_name='account',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['owner_sort', 'id'], name='account_live_owner_sort'),
        ),
        migrations.AddIndex(
            model_name='account',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['segment_sort_de', 'id'], name='account_live_segment_de'),
        ),
        migrations.AddIndex(
            model_name='account',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['segment_sort_en', 'id'], name='account_live_segment_en'),
        ),
        migrations.AddIndex(
            model_name='opportunity',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['account_sort', 'id'], name='opportunity_live_account_sort'),
        ),
        migrations.AddIndex(
            model_name='opportunity',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['owner_sort', 'id'], name='opportunity_live_owner_sort'),
        ),
        migrations.AddIndex(
            model_name='opportunity',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['stage_sort', 'id'], name='opportunity_live_stage_sort'),
        ),
        migrations.RunPython(descending_indexes, drop_descending_indexes),
    ]

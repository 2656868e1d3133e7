"""Accounts counted per account manager, customer group and stored strategy, kept by triggers on the
account table (see planning/counts.py), and counted once for the accounts already there."""

import kundennetz.core.models
from django.db import migrations, models


def create(apps, schema_editor):
    from kundennetz.planning import counts

    counts.ensure(schema_editor.connection)


def drop(apps, schema_editor):
    from kundennetz.planning import counts

    counts.drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0018_live_lookups'),
        ('planning', '0005_updated_at_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('owner_id', models.BigIntegerField()),
                ('segment_id', models.BigIntegerField()),
                ('strategy', models.CharField(blank=True, max_length=60)),
                ('accounts', models.BigIntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('owner_id', 'segment_id', 'strategy'), name='planning_count_per_group')],
            },
            bases=(kundennetz.core.models.Bookkeeping, models.Model),
        ),
        migrations.CreateModel(
            name='AccountCountChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('owner_id', models.BigIntegerField()),
                ('segment_id', models.BigIntegerField()),
                ('strategy', models.CharField(blank=True, max_length=60)),
                ('accounts', models.BigIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['owner_id'], name='planning_count_change_owner')],
            },
            bases=(kundennetz.core.models.Bookkeeping, models.Model),
        ),
        migrations.RunPython(create, drop),
    ]

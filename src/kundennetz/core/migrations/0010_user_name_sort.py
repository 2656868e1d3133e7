"""Every user's name in German order (last, then first name), the key the lists sort owners by; the
manager that keeps it on bulk writes."""

import kundennetz.core.models
from django.db import migrations, models

from kundennetz.domain.text import sort_key


def fill(apps, schema_editor):
    User = apps.get_model("core", "User")
    users = list(User._base_manager.only("pk", "last_name", "first_name"))
    for user in users:
        user.name_sort = sort_key(user.last_name, user.first_name)
    User._base_manager.bulk_update(users, ["name_sort"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_changecounter'),
    ]

    operations = [
        migrations.AlterModelManagers(
            name='user',
            managers=[
                ('objects', kundennetz.core.models.UserManager()),
            ],
        ),
        migrations.AddField(
            model_name='user',
            name='name_sort',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=200),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

from django.db import migrations, models


def guests_rule(apps, schema_editor):
    """A site that refused guests keeps refusing them: it becomes "signed-in readers"."""
    Site = apps.get_model("core", "Site")
    Site.objects.filter(guests_allowed=False).update(who_may_comment="signed_in")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="site",
            name="who_may_comment",
            field=models.CharField(
                choices=[
                    ("anyone", "Anyone, guests included"),
                    ("signed_in", "Signed-in readers"),
                    ("subscribers", "Subscribers"),
                    ("staff", "Staff only"),
                ],
                default="anyone",
                max_length=12,
            ),
        ),
        migrations.RunPython(guests_rule, migrations.RunPython.noop),
        migrations.RemoveField(model_name="site", name="guests_allowed"),
    ]

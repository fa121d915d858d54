from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ecoute", "0018_restitution_reminder_steps")]

    operations = [
        migrations.AddConstraint(
            model_name="restitutionreminder",
            constraint=models.UniqueConstraint(
                fields=("consultation", "step"), name="restitution_reminder_once_per_step"
            ),
        ),
    ]

"""Number the reminders already sent (one per period, to the owner) as steps 1, 2, 3… per
consultation, then make each step unique: a re-run of the daily task the same day (or two
workers at once) sends a step once."""

from django.db import migrations


def number_steps(apps, schema_editor):
    RestitutionReminder = apps.get_model("ecoute", "RestitutionReminder")
    step_of: dict[int, int] = {}
    for reminder in RestitutionReminder.objects.order_by("consultation_id", "sent_at", "pk"):
        step = step_of.get(reminder.consultation_id, 0) + 1
        step_of[reminder.consultation_id] = step
        if reminder.step != step:
            reminder.step = step
            reminder.save(update_fields=["step"])


def unnumber_steps(apps, schema_editor):
    apps.get_model("ecoute", "RestitutionReminder").objects.update(step=1)


class Migration(migrations.Migration):
    dependencies = [("ecoute", "0017_restitution_followup")]

    operations = [migrations.RunPython(number_steps, unnumber_steps)]

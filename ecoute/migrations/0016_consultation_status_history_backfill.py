# The consultations' status history starts with what the audit trail already holds: each
# change of a consultation's status was written there by PostgreSQL as two events, the row
# "before" then the row "after", with the request's user in its context. The rows taken from
# it say so in their comment; going back deletes those rows only.

from django.conf import settings
from django.db import migrations

BACKFILLED = "Repris du journal d'audit."
BATCH_SIZE = 1000


def backfill(apps, schema_editor):
    Consultation = apps.get_model("ecoute", "Consultation")
    ConsultationEvent = apps.get_model("ecoute", "ConsultationEvent")
    ConsultationStatusChange = apps.get_model("ecoute", "ConsultationStatusChange")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    events = (
        ConsultationEvent.objects.filter(
            pgh_label__in=("before", "after"), pgh_obj_id__in=Consultation.objects.values("pk")
        )
        .order_by("pgh_obj_id", "pgh_id")
        .values_list("pgh_obj_id", "pgh_label", "status", "pgh_created_at", "pgh_context__metadata")
    )
    moves, before = [], {}
    for consultation_id, label, status, at, metadata in events.iterator(chunk_size=BATCH_SIZE):
        if label == "before":
            before[consultation_id] = status
            continue
        from_status = before.pop(consultation_id, None)
        if from_status is None or from_status == status:
            continue  # another audited field changed, or the "before" row is gone
        user = (metadata or {}).get("user")
        moves.append((consultation_id, from_status, status, at, user))
    known = set(
        User.objects.filter(pk__in={m[4] for m in moves if isinstance(m[4], int)}).values_list(
            "pk", flat=True
        )
    )
    ConsultationStatusChange.objects.bulk_create(
        (
            ConsultationStatusChange(
                consultation_id=consultation_id,
                from_status=from_status,
                to_status=to_status,
                changed_at=at,
                changed_by_id=user if user in known else None,
                comment=BACKFILLED,
            )
            for consultation_id, from_status, to_status, at, user in moves
        ),
        batch_size=BATCH_SIZE,
    )


def unbackfill(apps, schema_editor):
    apps.get_model("ecoute", "ConsultationStatusChange").objects.filter(comment=BACKFILLED).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ecoute", "0015_consultation_status_history"),
        ("pghistory", "0007_auto_20250421_0444"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(backfill, unbackfill)]

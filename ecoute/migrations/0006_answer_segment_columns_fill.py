"""Step 2: copy each existing answer's questionnaire, audience and Caf from its response, by
ranges of ids (one UPDATE ... FROM per range, each committed on its own: a national table of
~1,000,000 answers is filled in seconds without one long transaction)."""

from django.db import migrations

BATCH = 100_000

FILL = """
UPDATE ecoute_answer AS a
   SET questionnaire_id = r.questionnaire_id, audience = r.audience, caf_id = r.caf_id
  FROM ecoute_response AS r
 WHERE a.response_id = r.id
   AND a.id >= %s AND a.id < %s
   AND a.questionnaire_id IS NULL
"""


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM ecoute_answer")
        low, high = cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, BATCH):
            cursor.execute(FILL, [start, start + BATCH])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("ecoute", "0005_answer_segment_columns")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]

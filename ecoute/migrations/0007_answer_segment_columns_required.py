"""Step 3: every answer has its questionnaire; the composite indexes the results, free texts
and exports read by."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ecoute", "0006_answer_segment_columns_fill")]

    operations = [
        migrations.AlterField(
            model_name="answer",
            name="questionnaire",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="ecoute.questionnaire",
                verbose_name="questionnaire",
            ),
        ),
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(
                fields=["questionnaire", "question"], name="answer_questionnaire_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(
                fields=["questionnaire", "audience", "question"], name="answer_q_audience_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(
                fields=["questionnaire", "caf", "question"], name="answer_q_caf_idx"
            ),
        ),
    ]

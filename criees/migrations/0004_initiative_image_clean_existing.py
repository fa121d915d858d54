"""Images stored before they were cleaned on upload: write each again without its metadata (the
GPS position, the camera, the author) and make its copy for pages, as new uploads are.

Not atomic: each image is one UPDATE, committed before its old file is deleted, so that an
interruption leaves only unused files, never a row pointing at a deleted one. An image Pillow
cannot read (or whose file is missing) is left as it is: the pages show its file.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import migrations

from caflab.core.uploads import clean_image, name_for_format

logger = logging.getLogger(__name__)

BATCH = 100


def clean_existing_images(apps, schema_editor):
    InitiativeImage = apps.get_model("criees", "InitiativeImage")
    last_pk = 0
    while True:
        batch = list(
            InitiativeImage.objects.filter(web_file="", pk__gt=last_pk)
            .exclude(file="")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            return
        for image in batch:
            last_pk = image.pk
            old = image.file.name
            try:
                with image.file.open("rb") as handle:
                    cleaned = clean_image(handle)
            except (OSError, ValidationError) as error:  # FileNotFoundError is an OSError
                logger.warning("Image %s left as it is: %s", image.pk, error)
                continue
            image.file.save(cleaned.original.name, cleaned.original, save=False)
            image.web_file.save(cleaned.web.name, cleaned.web, save=False)
            InitiativeImage.objects.filter(pk=image.pk).update(
                file=image.file.name,
                web_file=image.web_file.name,
                size=cleaned.original.size,
                content_type=cleaned.content_type,
                name=name_for_format(image.name, cleaned.original.name),
            )
            image.file.storage.delete(old)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("criees", "0003_initiative_image_web_copy"),
    ]

    operations = [
        migrations.RunPython(clean_existing_images, migrations.RunPython.noop),
    ]

"""Sources of texts other apps own: a higher app (evaluation: a project's testimonies, an
evaluation survey's open answers) or one the analysis may not import (the criées: a criée's
comments; the events: a programme's syntheses) registers a `Source` from its
`AppConfig.ready()`, and an analysis can then be made of one of its subjects. The analysis app
never imports the app that registers: it asks the registry, which lives in the core
(`caflab.core.textsources`, so that the criées and the events reach it without importing this
app); its names are re-exported here.

A consultation's analysis needs no registration (écoute is below this app): its texts are read
in `analysis.services.texts`. A registered source's analysis keeps the source's key
(`Analysis.source`) and its subject's id (`Analysis.subject_id`)."""

from caflab.core.textsources import (
    CONSULTATION,
    Source,
    SourceText,
    get_source,
    register_source,
    registered,
)

__all__ = ["CONSULTATION", "Source", "SourceText", "get_source", "register_source", "registered"]

"""Views of the écoute app: the public pages (public.py), answering (answering.py), managing
consultations (manage.py), the questionnaire builder (builder.py), results and exports
(results.py)."""

"""Forms of the écoute app: consultations (consultations.py), the builder (builder.py) and the
respondent's steps (answering.py)."""

"""The engagement layer: comments, supports, abuse reports and one moderation queue, written
once for every app whose objects people can comment on, support or report (ideas,
initiatives, contributions...). Each app declares what is engageable in a `Engageable`
registration (`registry.py`); the tables stay in the app (a concrete model per target, with a
real foreign key) and inherit their columns and rules from the abstract bases here."""

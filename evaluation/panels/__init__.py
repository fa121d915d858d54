"""The evaluation panel on a project's page, in three parts, each built by its own module:
`plans` (plan, indicators), `participation` (effects, testimonies, surveys), `reports`.

Each module's `context(project, user)` returns what its template needs (or None to show
nothing); the panel costs a fixed number of queries.
"""

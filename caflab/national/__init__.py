"""The national assembly: the national dataset (`manage.py seed_national`, caflab.national.dataset,
one module per app) and the benchmarks run on it (`manage.py bench`, `manage.py bench_fanout`).

Like caflab.search, it knows every domain app by nature, so it lives outside caflab.core (which
imports no domain app: see docs/architecture.md). No model. This module imports nothing, so that
Django can load the app before the models are ready.
"""

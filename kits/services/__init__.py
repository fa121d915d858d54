"""The kit's flows, by subject: documents and their versions (`documents`), the stage kits, the
checklist and the "go" blocker (`deliverables`), the fiche d'essaimage (`guides`)."""

"""Criées views, one module per area: catalogue (the catalogue and "my initiatives"),
initiative (one initiative's pages and its small POST actions), criee (criée events and their
programme), live (the live page), followup (follow-up, dashboards, exports)."""

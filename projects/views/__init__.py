"""Portfolio views, one module per area: portfolio (list, kanban, funnel, dashboard, exports),
project (one project's pages), gates (gate reviews), essaimage (deployments and the map)."""

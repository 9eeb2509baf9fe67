"""Evidence from an organization's own tools: importers, the evidence store and metrics."""

"""Management commands of the hicp web app."""

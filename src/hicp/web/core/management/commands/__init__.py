"""Management commands of the hicp web app (python -m hicp.web NAME)."""

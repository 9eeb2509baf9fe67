"""The hicp web app: organizations, members, assessments and their audit log."""

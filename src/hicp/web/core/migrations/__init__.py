"""Database migrations of the hicp web app, made with makemigrations."""

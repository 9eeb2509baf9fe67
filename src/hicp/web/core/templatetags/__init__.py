"""Template tags of the web app, one library per feature."""

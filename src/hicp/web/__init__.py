"""The Django web app: a second front door over the same core as the CLI."""

"""Assessments: the file model, scoring, threat exposure, sizing and the action plan."""

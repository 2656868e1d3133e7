"""Keeps the stored per-account analysis in step with relations, contacts and involvements."""

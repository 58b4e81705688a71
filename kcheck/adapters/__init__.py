"""Adapters for outside services, each behind a small interface and chosen by settings."""

"""Maintainer scripts run by the Makefile (spec merge, generation, README table, demo)."""

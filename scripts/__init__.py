"""Maintainer scripts run by the Makefile (spec merge, generation, deviation table, demo)."""

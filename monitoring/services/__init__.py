"""Writes of the monitoring app, each in one transaction with its audit event and reassessment."""

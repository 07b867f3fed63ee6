"""Monitoring pages: the patient page, entry forms and alert acknowledgement."""

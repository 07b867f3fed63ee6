"""The bridge to the rules: histories, stored assessments, alerts, the schedule, reassessment."""

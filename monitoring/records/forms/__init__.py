"""Entry forms for scans, labs, FRAX, therapy, doses, supplements, plans and scanners.

Forms validate input only (ranges, dates, required pairs); the clinical rules live in the domain.
"""

"""Analysis: exact quantities, metrics and the numbers each lesson's claims are about."""

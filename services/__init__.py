"""Domain services: the rules, authorization decisions and every write."""

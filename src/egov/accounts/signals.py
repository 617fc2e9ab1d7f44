"""No state changes here (ARCHITECTURE rule 1); kept for Django's app loading."""

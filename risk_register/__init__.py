"""risk-register: estates and health-and-safety risk register for the Probation Service."""

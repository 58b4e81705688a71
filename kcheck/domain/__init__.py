"""Domain rules (case lifecycle, steps, OTP, retention); no Flask, RQ or boto3 here."""

"""What a customer's fields may hold: read by the model, the API and the spreadsheet checks.
Free of Django on purpose (ingestion's row converters import it)."""

MAX_NAME_LENGTH = 100
MIN_AGE, MAX_AGE = 18, 100
SMALLEST_PHONE_NUMBER, LARGEST_PHONE_NUMBER = 1_000_000_000, 9_999_999_999
# The most a monthly salary may be, registered or imported (the column would hold more).
MAX_MONTHLY_SALARY = 1_000_000_000
SALARY_DIGITS = 14
APPROVED_LIMIT_DIGITS = 16

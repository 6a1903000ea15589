"""What a loan's fields may hold: read by the models, the API and the spreadsheet checks.
Free of Django on purpose (ingestion's row converters import it)."""

from decimal import Decimal

MIN_TENURE_MONTHS, MAX_TENURE_MONTHS = 1, 360
AMOUNT_DIGITS = 14
INSTALLMENT_DIGITS = 16
RATE_DIGITS = 5
MIN_RATE, MAX_RATE = Decimal(0), Decimal(100)

"""Equated monthly installments on a reducing balance. Free of Django on purpose."""

from decimal import Decimal, localcontext

from credit.money import to_paise

# (1 + r)^n for n up to a few hundred needs more than the default 28 significant digits
# to stay exact at the paise after the division.
_PRECISION = 50


def monthly_rate(annual_rate_percent: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return annual_rate_percent / Decimal(1200)


def monthly_installment(principal: Decimal, annual_rate_percent: Decimal, tenure: int) -> Decimal:
    """EMI = P·r·(1+r)^n / ((1+r)^n − 1) with r = annual % / 1200; P/n at 0%. Half-up to paise."""
    if tenure < 1:
        raise ValueError("tenure must be at least one month")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        rate = monthly_rate(annual_rate_percent)
        if rate == 0:
            return to_paise(principal / tenure)
        growth = (1 + rate) ** tenure
        return to_paise(principal * rate * growth / (growth - 1))


def installment_factor(annual_rate_percent: Decimal, tenure: int) -> Decimal:
    """The EMI of one rupee, unrounded: an amount's EMI is about amount × this."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        rate = monthly_rate(annual_rate_percent)
        if rate == 0:
            return Decimal(1) / tenure
        growth = (1 + rate) ** tenure
        return rate * growth / (growth - 1)

"""Numbers written the French way, for every place that prints one outside a template's
`{{ value }}` (charts, their summaries and data tables, report figures, spreadsheet cells,
command output): one formatter, `fr_number`, so "12,5" and "1 234" look the same everywhere.

The decimal separator is a comma; thousands, when asked, are separated by a narrow no-break
space (U+202F, what the Imprimerie nationale and CLDR's `fr` use), never a dot or a comma that a
reader or a spreadsheet would take for a decimal point. Rounding is Python's: half to even, on
the exact value (a float is rounded as `f"{value:.1f}"` rounds it).
"""

from decimal import Decimal

THIN_SPACE = "\u202f"

Number = int | float | Decimal


def fr_number(
    value: Number | None,
    decimals: int | None = None,
    *,
    trim: bool = False,
    grouping: bool = False,
    missing: str = "",
) -> str:
    """`value` as French text.

    - `decimals=None`: every significant digit the value holds, no trailing zero
      (Decimal("50.00") → "50", Decimal("12.50") → "12,5", 0.1 → "0,1");
    - `decimals=n`: exactly n decimals, rounded ("2,50"); with `trim`, trailing zeros (and a
      bare comma) go: "2,5", "2";
    - `grouping`: thousands separated by a narrow no-break space ("1 234,5");
    - `missing`: the text for None ("" by default; "—" in tables and charts).
    """
    if value is None:
        return missing
    if isinstance(value, float) and decimals is None:
        amount = Decimal(repr(value))  # the shortest text that reads back as this float
    else:
        amount = Decimal(value)  # exact: a float keeps its binary value, rounded below
    if decimals is None:
        amount = amount.normalize()
    spec = ("," if grouping else "") + ("f" if decimals is None else f".{decimals}f")
    text = format(amount, spec)
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", THIN_SPACE).replace(".", ",")

"""Reading numbers out of client text (paths, query parameters, form values).

`str.isdigit()` is true for any Unicode digit: `"3³".isdigit()` and `"١٢".isdigit()` both hold, yet
`int("3³")` raises and `int("١٢")` reads 12. Input that means "a number" is therefore checked here,
for the ASCII digits 0-9 only, and never with `isdigit()` alone.
"""


def is_ascii_digits(text: str) -> bool:
    """True when `text` is one or more of the characters 0-9 and nothing else."""
    return isinstance(text, str) and text.isascii() and text.isdigit()

"""Ghana's main GHIPSS banks and mobile-money networks: the fallback when the provider's list is out of reach."""

from django.utils.text import slugify

_STATIC = {
    "ghipss": [
        ("Absa Bank Ghana", "030100"),
        ("Access Bank Ghana", "280100"),
        ("Agricultural Development Bank", "080100"),
        ("Bank of Africa Ghana", "210100"),
        ("CAL Bank", "140100"),
        ("Consolidated Bank Ghana", "340100"),
        ("Ecobank Ghana", "130100"),
        ("FBN Bank Ghana", "200100"),
        ("Fidelity Bank Ghana", "240100"),
        ("First Atlantic Bank", "170100"),
        ("First National Bank Ghana", "330100"),
        ("GCB Bank", "040100"),
        ("Guaranty Trust Bank Ghana", "230100"),
        ("National Investment Bank", "050100"),
        ("OmniBSIC Bank", "360100"),
        ("Prudential Bank", "180100"),
        ("Republic Bank Ghana", "110100"),
        ("Societe Generale Ghana", "090100"),
        ("Stanbic Bank Ghana", "190100"),
        ("Standard Chartered Bank Ghana", "020100"),
        ("United Bank for Africa Ghana", "060100"),
        ("Universal Merchant Bank", "100100"),
        ("Zenith Bank Ghana", "120100"),
    ],
    "mobile_money": [("MTN", "MTN"), ("Telecel", "VOD"), ("AirtelTigo", "ATL")],
}


def static_banks(kind: str) -> list[dict]:
    return [{"name": name, "code": code, "type": kind, "slug": slugify(name)} for name, code in _STATIC[kind]]

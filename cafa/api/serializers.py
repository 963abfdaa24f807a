"""Serializer bases shared by every app."""

from decimal import Decimal

from rest_framework_dataclasses.serializers import DataclassSerializer

from cafa.api.fields import MoneyField


# The response shape of a dataclass a selector returns, its fields generated from the dataclass: each
# field is declared once, on the dataclass. A `Decimal` is money and renders as a JSON number
# (MoneyField); nested dataclasses and lists of them follow the same rules. (A comment, not a
# docstring: the schema would show a docstring as the description of every such component.)
class DataclassOutputSerializer(DataclassSerializer):
    serializer_field_mapping = {**DataclassSerializer.serializer_field_mapping, Decimal: MoneyField}

    @property
    def serializer_dataclass_field(self):
        return DataclassOutputSerializer

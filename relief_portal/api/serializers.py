"""What the API's serializers share."""

from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict

# Each input serializer class's fields, built once (see `BodySerializer.fields`).
_FIELDS: dict[type, BindingDict] = {}


class BodySerializer(serializers.Serializer):
    """A serializer that only reads a request's body: never given an instance, never partial.

    DRF gives every new serializer a deep copy of its declared fields, and so runs every field's
    constructor again (with its validators and error messages), for the nested ones too; for a pledge
    that was about a fifth of its time. Fields keep nothing of the data they validate (what they
    accept and refuse is fixed when they are made, errors are raised, not kept), so each class builds
    them once, bound to an instance of its own that holds no data, and every instance validates with
    them. Such a serializer must not be given an instance or `partial=True`, nor have its fields
    changed after they are built.
    """

    @property
    def fields(self) -> BindingDict:
        fields = _FIELDS.get(type(self))
        if fields is None:
            owner = type(self)()  # holds no data: the request's serializer is not kept with the fields
            fields = _FIELDS.setdefault(type(self), serializers.Serializer.fields.func(owner))
        return fields

    def __init__(self, *args, **kwargs):
        if args or kwargs.get("instance") is not None or kwargs.get("partial"):
            raise TypeError(f"{type(self).__name__} reads a request body only: pass data=")
        super().__init__(**kwargs)

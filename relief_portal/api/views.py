from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView


@extend_schema(exclude=True)
class NotFoundApi(APIView):
    """Any other address under /api/: a 404 in the API's own JSON shape, whatever the method."""

    authentication_classes: list = []
    permission_classes: list = []

    def initial(self, request, *args, **kwargs):
        raise NotFound()

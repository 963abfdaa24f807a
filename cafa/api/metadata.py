"""What `OPTIONS` answers under /api/ (CORS preflights are answered by the CORS middleware first)."""

from rest_framework.metadata import SimpleMetadata


class EndpointMetadata(SimpleMetadata):
    """Name, description, renderers and parsers; the schema at /api/v1/schema/ documents the fields.

    DRF's default also describes each action by instantiating serializers and, for PUT, the
    object itself, which is neither cheap nor safe on every view.
    """

    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
